import Foundation
import Gateway

/// The records in a stage-times file gatewayd is still appending to (`gatewayd --stage-times`): every complete line,
/// the one being written left for the next read.
public enum StageTimesLines {
    /// The records of the complete lines in `text`: the part after the last newline is a line still being written.
    public static func records(in text: String) throws(StageTimesRecordError) -> [StageTimesRecord] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()  // after the last newline: empty, or a line still being written
        return try lines.map { line throws(StageTimesRecordError) in try StageTimesRecord(line: line) }
    }

    /// The records in the file at `path` so far; none while gatewayd has not created it. Never inlined: inlined into
    /// the chain bench's async closures, the release build's compiler (Swift 6.3.1) crashes splitting the coroutine.
    @inline(never)
    public static func records(at path: String) throws -> [StageTimesRecord] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try records(in: String(contentsOfFile: path, encoding: .utf8))
    }
}
