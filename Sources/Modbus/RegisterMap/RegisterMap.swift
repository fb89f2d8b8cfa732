import Foundation
import Yams

/// A meter's register map: which values to read, where, and how they are encoded. Kept as data
/// (`Config/pac3200.yaml`) so that a firmware with other addresses needs a new file, not a new build.
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
    /// The map in `path` (YAML, see Config/pac3200.yaml).
    public static func load(path: String) throws(RegisterMapError) -> RegisterMap {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedFailureReason ?? "no such file or no permission")
        }
        return try RegisterMap(yaml: text)
    }

    public init(yaml: String) throws(RegisterMapError) {
        let file: MapFile
        do {
            file = try YAMLDecoder().decode(MapFile.self, from: yaml)
        } catch let error as DecodingError {
            throw .malformed(Self.describe(error))
        } catch {
            throw .malformed("\(error)")
        }
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

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(path(context)): missing \(key.stringValue)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// The YAML file as written; entries are checked one by one so errors can name them.
private struct MapFile: Decodable {
    var meter: String?
    var function_code: UInt8?
    var max_registers_per_request: Int?
    var max_gap: Int?
    var values: [Entry]?
    var counters: [Entry]?
    var status: [Entry]?

    struct Entry: Decodable {
        var name: String?
        var address: Int?
        var type: String?
        var unit: String?
        var obis: String?
        var scaler: Int?
        var min: Double?
        var max: Double?

        func definition(kind: RegisterDefinition.Kind, index: Int) throws(RegisterMapError) -> RegisterDefinition {
            let label = name ?? "\(kind)s[\(index)]"
            guard let name, !name.isEmpty else { throw .invalidEntry(label, reason: "has no name") }
            guard let address else { throw .invalidEntry(name, reason: "has no address") }
            guard let typeName = type else { throw .invalidEntry(name, reason: "has no type; use float32, float64 or uint32") }
            guard let type = RegisterType(rawValue: typeName) else {
                throw .invalidEntry(name, reason: "has unknown type \"\(typeName)\"; use float32, float64 or uint32")
            }
            guard (-128...127).contains(scaler ?? 0) else { throw .invalidEntry(name, reason: "has a scaler outside -128...127") }
            return RegisterDefinition(
                name: name, address: address, type: type, kind: kind, unit: unit ?? "", obis: obis,
                scaler: scaler ?? 0, minimum: min, maximum: max
            )
        }
    }
}
