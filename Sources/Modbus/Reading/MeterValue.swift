/// One value of a snapshot. A value that could not be read, or that the meter sent as NaN or outside its
/// plausible range, is kept and marked invalid with the reason: a gap must be visible, never silent.
public struct MeterValue: Sendable, Hashable {
    public var definition: RegisterDefinition
    /// What the meter sent; NaN when the request failed.
    public var value: Double
    /// Why the value cannot be trusted; nil when it can.
    public var problem: String?
    /// False when no answer carried the value (the request failed): then there is no value at all, as opposed to
    /// a NaN or an implausible number the meter did send.
    public var wasRead: Bool = true

    public var isValid: Bool { problem == nil }
    public var obis: String? { definition.obis }
    public var name: String { definition.name }
    public var unit: String { definition.unit }

    /// A value as it was read (or written down, as `gatewayctl meter read --json` does): `problem` nil for a valid one.
    public init(definition: RegisterDefinition, value: Double, problem: String?, wasRead: Bool = true) {
        self.definition = definition
        self.value = value
        self.problem = problem
        self.wasRead = wasRead
    }

    init(definition: RegisterDefinition, registers: ArraySlice<UInt16>) {
        self.definition = definition
        self.value = definition.type.decode(registers)
        if value.isNaN {
            problem = "the meter sent NaN (phase not connected?)"
        } else if !definition.isPlausible(value) {
            problem = "outside the plausible range \(definition.minimum.map { "\($0)" } ?? "-")...\(definition.maximum.map { "\($0)" } ?? "-")"
        }
    }

    init(definition: RegisterDefinition, unreadable reason: String) {
        self.definition = definition
        self.value = .nan
        self.problem = reason
        self.wasRead = false
    }
}
