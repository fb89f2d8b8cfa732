/// A register map file as written, in whatever format the executable reads (YAML for `Config/pac3200.yaml`);
/// `RegisterMap(file:)` checks its entries one by one so errors can name them.
public struct RegisterMapFile: Codable, Sendable {
    var meter: String?
    var function_code: UInt8?
    var max_registers_per_request: Int?
    var max_gap: Int?
    var values: [Entry]?
    var counters: [Entry]?
    var status: [Entry]?

    public struct Entry: Codable, Sendable {
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
