import Foundation

/// One line of gatewayd's stage-times file (`--stage-times FILE`): a delivered reading's `StageTimes`, or the parts of
/// an answered signed request, as JSON with whole nanoseconds. What a benchmark reads instead of the line for people
/// on standard output, whose wording may change:
///
///     {"kind":"reading","id":12,"nanoseconds":{"modbus":1203311,"build":10230,...}}
///     {"kind":"request","id":7,"nanoseconds":{"verify":412003,"meter":351876,"sign":301554}}
public struct StageTimesRecord: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable {
        /// A reading the head-end acknowledged; `id` its transaction id, the stages `StageTimes.Stage`'s names.
        case reading
        /// A signed request from the head-end, answered with a value; `id` its transaction id, the stages `verify`
        /// (with the directory lookup), `meter` and `sign`.
        case request
    }

    public var kind: Kind
    public var id: UInt64
    /// Each stage's time; a stage that did not run in this process is absent.
    public var nanoseconds: [String: Int64]

    public init(kind: Kind, id: UInt64, stages: [(name: String, duration: Duration)]) {
        self.kind = kind
        self.id = id
        self.nanoseconds = Dictionary(stages.map { ($0.name, Self.nanoseconds(of: $0.duration)) }) { first, _ in first }
    }

    /// A delivered reading's stages.
    public init(delivered id: UInt64, times: StageTimes) {
        self.init(kind: .reading, id: id, stages: times.named.compactMap { stage, duration in duration.map { (stage.rawValue, $0) } })
    }

    /// The time of `stage`, if it ran.
    public func duration(_ stage: String) -> Duration? {
        nanoseconds[stage].map { .nanoseconds($0) }
    }

    /// The record as one line of JSON, without the newline.
    public func line() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Reads one line of the file.
    public init(line: some StringProtocol) throws(StageTimesRecordError) {
        do {
            self = try JSONDecoder().decode(Self.self, from: Data(line.utf8))
        } catch {
            throw StageTimesRecordError(line: String(line), reason: "\(error)")
        }
    }

    static func nanoseconds(of duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// A line of a stage-times file that is not a record: the file is not gatewayd's, or another version wrote it.
public struct StageTimesRecordError: Error, CustomStringConvertible {
    public var line: String
    public var reason: String
    public var description: String {
        "not a stage-times record: \(line.prefix(80)) (\(reason)); give the file gatewayd --stage-times writes, from the same version"
    }
}
