import Foundation

/// A snapshot as JSON, the form `gatewayctl meter read --json` prints and the signing commands read back:
/// `{"time": ISO-8601, "values": [{"obis", "name", "value", "unit", "valid"}], "status": {...}, "rtt_ms": [...]}`.
/// A value that could not be read is `null` with `"valid": false`: JSON has no NaN.
public struct ReadingDocument: Codable, Sendable, Hashable {
    public struct Value: Codable, Sendable, Hashable {
        public var obis: String
        public var name: String
        public var value: Double?
        public var unit: String
        public var scaler: Int
        public var valid: Bool
        public var problem: String?

        public init(obis: String, name: String, value: Double?, unit: String, scaler: Int, valid: Bool, problem: String? = nil) {
            self.obis = obis
            self.name = name
            self.value = value
            self.unit = unit
            self.scaler = scaler
            self.valid = valid
            self.problem = problem
        }
    }

    public struct Status: Codable, Sendable, Hashable {
        public var limit_violations: UInt32?
        public var device_status: UInt32?
        public var error_code: UInt16
        public var conditions: [String]
    }

    public var time: Date
    public var meter: String
    public var values: [Value]
    public var status: Status
    public var rtt_ms: [Double?]
    public var errors: [String]

    public init(_ snapshot: MeterSnapshot, meter: String) {
        time = snapshot.time
        self.meter = meter
        values = snapshot.readings.map { value in
            Value(
                obis: value.obis ?? "", name: value.name, value: value.value.isFinite ? value.value : nil,
                unit: value.unit, scaler: value.definition.scaler, valid: value.isValid, problem: value.problem
            )
        }
        let code = snapshot.status.errorCode
        status = Status(
            limit_violations: snapshot.status.limitViolations, device_status: snapshot.status.deviceStatus,
            error_code: code.rawValue, conditions: code.names
        )
        rtt_ms = snapshot.requests.map { $0.roundTrip.map { (Double($0 / .microseconds(1)) / 1000 * 1000).rounded() / 1000 } }
        errors = snapshot.errors.map(\.description)
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Self.formatter.string(from: date))
        }
        return try encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> ReadingDocument {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(text) is not an ISO-8601 time"))
            }
            return date
        }
        return try decoder.decode(ReadingDocument.self, from: data)
    }

    /// ISO-8601 with milliseconds, in UTC.
    nonisolated(unsafe) public static let formatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}
