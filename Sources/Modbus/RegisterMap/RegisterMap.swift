
/// A meter's register map: which values to read, where, and how they are encoded. Kept as data
/// (`Config/pac3200.yaml`, decoded by the executables' `ConfigFiles`) so that a firmware with other addresses needs a new file, not a new build.
public struct RegisterMap: Sendable, Hashable {
    public var meter: String
    /// 3 (read holding registers) or 4 (read input registers); the PAC3200 answers both.
    public var functionCode: UInt8
    /// The most registers one request may ask for (125 in the Modbus specification).
    public var maxRegistersPerRequest: Int
    /// Unused registers a request may span to join two values; 0 joins only adjacent values, because meters
    /// may answer a read of an unmapped register with an exception.
    public var maxGap: Int
    public var definitions: [RegisterDefinition]

    public init(
        meter: String, functionCode: UInt8 = 3, maxRegistersPerRequest: Int = 125, maxGap: Int = 0,
        definitions: [RegisterDefinition]
    ) throws(RegisterMapError) {
        self.meter = meter
        self.functionCode = functionCode
        self.maxRegistersPerRequest = maxRegistersPerRequest
        self.maxGap = maxGap
        self.definitions = definitions
        try validate()
    }

    public var values: [RegisterDefinition] { definitions.filter { $0.kind == .value } }
    public var counters: [RegisterDefinition] { definitions.filter { $0.kind == .counter } }
    public var statusWords: [RegisterDefinition] { definitions.filter { $0.kind == .status } }

    public func definition(obis: String) -> RegisterDefinition? { definitions.first { $0.obis == obis } }

    /// Refuses what would make readings wrong: overlapping registers, one OBIS code for two values, addresses
    /// outside the Modbus range, requests larger than the protocol allows.
    public func validate() throws(RegisterMapError) {
        guard !definitions.isEmpty else { throw .empty }
        guard functionCode == 3 || functionCode == 4 else {
            throw .malformed("function_code must be 3 (holding registers) or 4 (input registers), not \(functionCode)")
        }
        guard (1...125).contains(maxRegistersPerRequest) else {
            throw .malformed("max_registers_per_request must be 1...125, not \(maxRegistersPerRequest)")
        }
        guard maxGap >= 0 else { throw .malformed("max_gap must not be negative") }
        var seenOBIS: [String: String] = [:]
        for definition in definitions {
            guard !definition.name.isEmpty else { throw .malformed("an entry at address \(definition.address) has no name") }
            guard definition.address >= 0, definition.registers.upperBound <= 65536 else {
                throw .invalidEntry(definition.name, reason: "has address \(definition.address), outside the Modbus range 0-65535")
            }
            if let minimum = definition.minimum, let maximum = definition.maximum, minimum > maximum {
                throw .invalidEntry(definition.name, reason: "has min \(minimum) above max \(maximum)")
            }
            if let obis = definition.obis {
                guard Self.isOBIS(obis) else { throw .invalidOBIS(obis, entry: definition.name) }
                if let first = seenOBIS[obis] { throw .duplicateOBIS(obis, first: first, second: definition.name) }
                seenOBIS[obis] = definition.name
            } else if definition.kind != .status {
                throw .invalidEntry(definition.name, reason: "has no OBIS code; every value and counter needs one")
            }
        }
        let sorted = definitions.sorted { $0.address < $1.address }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where next.address < previous.registers.upperBound {
            throw .overlap(previous.name, next.name)
        }
    }

    static func isOBIS(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 6 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && (UInt8(part) != nil)
        }
    }
}

extension RegisterMap {
    /// The map a file describes (see Config/pac3200.yaml), each entry checked so that an error names it.
    public init(file: RegisterMapFile) throws(RegisterMapError) {
        var definitions: [RegisterDefinition] = []
        for (kind, entries) in [(RegisterDefinition.Kind.value, file.values), (.counter, file.counters), (.status, file.status)] {
            for (index, entry) in (entries ?? []).enumerated() {
                definitions.append(try entry.definition(kind: kind, index: index))
            }
        }
        try self.init(
            meter: file.meter ?? "meter", functionCode: file.function_code ?? 3,
            maxRegistersPerRequest: file.max_registers_per_request ?? 125, maxGap: file.max_gap ?? 0,
            definitions: definitions
        )
    }
}
