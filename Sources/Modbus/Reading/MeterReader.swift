import Foundation

/// Polls a meter through its register map: plans the requests once, then turns each poll into a snapshot.
public struct MeterReader: Sendable {
    public let client: ModbusClient
    public let map: RegisterMap
    public let plan: ReadPlan

    /// Status words are recognised by these names in the map (PAC3200 registers 203 and 205).
    package static let limitViolationsName = "limit violations"
    package static let deviceStatusName = "device status"

    public init(client: ModbusClient, map: RegisterMap) {
        self.client = client
        self.map = map
        self.plan = ReadPlan(map)
    }

    /// One value, now, in one request: what a signed request for a single object reads (the snapshot's plan is for
    /// all of them). A failure is thrown, not recorded: the caller answers "temporary failure".
    public func read(_ definition: RegisterDefinition) async throws(ModbusError) -> MeterValue {
        let range = RegisterRange(start: definition.address, count: definition.type.registerCount)
        let (registers, _) = try await client.read(range, first: definition.name)
        return MeterValue(definition: definition, registers: registers[...])
    }

    /// The definition the map gives an OBIS code, if any.
    public func definition(obis: String) -> RegisterDefinition? {
        map.definitions.first { $0.obis == obis }
    }

    /// One snapshot. Failures are recorded in it, never thrown: a failed request marks its values invalid with
    /// the reason, and once the meter is unreachable the remaining requests are not tried in this poll.
    public func poll() async -> MeterSnapshot {
        let time = Date()
        var values: [MeterValue] = []
        var requests: [MeterSnapshot.Request] = []
        var status = MeterStatus()
        for request in plan.requests {
            if let unreachable = requests.last?.error, case .unreachable = unreachable {
                values += request.definitions.map { MeterValue(definition: $0, unreadable: "not read: meter unreachable") }
                requests.append(.init(range: request.range, roundTrip: nil, error: unreachable))
                continue
            }
            do {
                let (registers, roundTrip) = try await client.read(request.range, first: request.definitions[0].name)
                requests.append(.init(range: request.range, roundTrip: roundTrip, error: nil))
                for definition in request.definitions {
                    let offset = definition.address - request.range.start
                    values.append(MeterValue(definition: definition, registers: registers[offset..<offset + definition.type.registerCount]))
                }
            } catch {
                requests.append(.init(range: request.range, roundTrip: nil, error: error))
                switch error {
                case .unreachable, .connectionLost, .invalidEndpoint: status.unreachable = true
                case .timeout: status.timedOut = true
                case .exception: status.exception = true
                }
                values += request.definitions.map { MeterValue(definition: $0, unreadable: "not read: \(error.shortReason)") }
            }
        }
        // Back into map order, which is the order of the record.
        let order = Dictionary(uniqueKeysWithValues: map.definitions.enumerated().map { ($1.address, $0) })
        values.sort { order[$0.definition.address, default: 0] < order[$1.definition.address, default: 0] }
        for value in values where value.definition.kind == .status && value.isValid {
            switch value.name {
            case Self.limitViolationsName: status.limitViolations = UInt32(value.value)
            case Self.deviceStatusName: status.deviceStatus = UInt32(value.value)
            default: break
            }
        }
        status.invalidValue = values.contains { !$0.isValid && $0.definition.kind != .status }
        return MeterSnapshot(time: time, values: values, status: status, requests: requests)
    }
}

extension ModbusError {
    /// A few words for a value's invalid mark.
    var shortReason: String {
        switch self {
        case .unreachable: "meter unreachable"
        case .timeout: "timeout"
        case .exception(let exception, _, _): "exception \(exception)"
        case .connectionLost: "connection lost"
        case .invalidEndpoint: "invalid meter address"
        }
    }
}
