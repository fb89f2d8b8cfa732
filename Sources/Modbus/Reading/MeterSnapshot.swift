import Foundation

/// Everything one poll of the meter produced: when, each value (valid or not), the status, and how long each
/// request took. A snapshot always exists, even when the meter was unreachable, so that the gap is recorded.
public struct MeterSnapshot: Sendable {
    public struct Request: Sendable, Hashable {
        public var range: RegisterRange
        /// Round trip of the request; nil when it failed before an answer.
        public var roundTrip: Duration?
        public var error: ModbusError?
    }

    /// When the poll started (the measurement time of the record).
    public var time: Date
    public var values: [MeterValue]
    public var status: MeterStatus
    public var requests: [Request]

    public init(time: Date, values: [MeterValue], status: MeterStatus, requests: [Request] = []) {
        self.time = time
        self.values = values
        self.status = status
        self.requests = requests
    }

    /// The values and counters (not the status words), in map order.
    public var readings: [MeterValue] { values.filter { $0.definition.kind != .status } }
    public var errors: [ModbusError] { requests.compactMap(\.error) }
    /// Whether no request was answered at all.
    public var isEmpty: Bool { requests.allSatisfy { $0.error != nil } }

    public subscript(obis obis: String) -> MeterValue? { values.first { $0.obis == obis } }
}
