import Foundation
import Modbus

/// Rows printed in columns two spaces apart, each as wide as its widest cell, trailing spaces dropped: the benches'
/// reports and the command line's other tables.
public struct TextTable: Sendable, CustomStringConvertible {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    public var lines: [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            var line = zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    public var description: String { lines.joined(separator: "\n") }
}

/// Figures in benchmark reports: `decimals` after the point, "-" for a figure that is not there (NaN).
func format(_ value: Double, _ decimals: Int) -> String { ValueFormat.fixed(value, decimals: decimals) }

extension String {
    /// Right-aligned in `width` columns, for figures under a header.
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
