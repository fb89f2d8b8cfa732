/// A card's Answer To Reset: the bytes a card sends when powered, which name its protocol and often its kind.
///
/// Printed as pcsc_scan and the smart-card ATR list print them ("3B 80 80 01 01"), so a user can paste it into a
/// search; `hex` is the compact form for JSON and configuration.
public struct ATR: Sendable, Hashable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses hex with or without spaces or colons ("3B 80 80 01 01", "3b:80:80:01:01", "3B80800101").
    public init?(hex: String) {
        let digits = hex.filter { !" :".contains($0) }
        guard digits.count.isMultiple(of: 2), !digits.isEmpty else { return nil }
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.bytes = bytes
    }

    public var description: String { hexBytes.joined(separator: " ") }
    public var hex: String { hexBytes.joined() }

    private var hexBytes: [String] {
        bytes.map { byte in
            let text = String(byte, radix: 16, uppercase: true)
            return byte < 0x10 ? "0" + text : text
        }
    }
}
