/// The requests that read a register map: as few as the request size limit allows, each starting on the first
/// register of a value (a PAC3200 answers a read that starts inside a value with an exception).
public struct ReadPlan: Sendable, Hashable {
    public struct Request: Sendable, Hashable {
        public var range: RegisterRange
        public var definitions: [RegisterDefinition]
    }

    public var requests: [Request]

    public init(_ map: RegisterMap) {
        var requests: [Request] = []
        for definition in map.definitions.sorted(by: { $0.address < $1.address }) {
            if var last = requests.last,
               definition.address - last.range.end <= map.maxGap,
               definition.registers.upperBound - last.range.start <= map.maxRegistersPerRequest {
                last.range.count = definition.registers.upperBound - last.range.start
                last.definitions.append(definition)
                requests[requests.count - 1] = last
            } else {
                requests.append(Request(range: RegisterRange(start: definition.address, count: definition.type.registerCount), definitions: [definition]))
            }
        }
        self.requests = requests
    }
}
