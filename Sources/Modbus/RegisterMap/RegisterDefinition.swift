/// One value in a meter's register map: where it is, how it is encoded, what it means.
public struct RegisterDefinition: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// An instantaneous measurement (voltage, current, power, ...).
        case value
        /// A cumulative energy counter; it only grows, apart from a reset by the user.
        case counter
        /// A status word (limit violations, device status).
        case status
    }

    public var name: String
    /// PDU address (what goes on the wire; the manual's 40001-style number minus 40001).
    public var address: Int
    public var type: RegisterType
    public var kind: Kind
    /// Unit symbol as the meter's manual gives it (V, A, W, var, VA, Hz, %, Wh, varh, VAh, or empty).
    public var unit: String
    /// OBIS code A.B.C.D.E.F; nil for status words, which have no reading of their own.
    public var obis: String?
    /// Decimal exponent the value is reported with in COSEM (value × 10^scaler).
    public var scaler: Int
    /// Plausible range; a value outside it (or NaN) is kept but marked invalid.
    public var minimum: Double?
    public var maximum: Double?

    public init(
        name: String, address: Int, type: RegisterType, kind: Kind, unit: String = "", obis: String? = nil,
        scaler: Int = 0, minimum: Double? = nil, maximum: Double? = nil
    ) {
        self.name = name
        self.address = address
        self.type = type
        self.kind = kind
        self.unit = unit
        self.obis = obis
        self.scaler = scaler
        self.minimum = minimum
        self.maximum = maximum
    }

    /// The registers the value occupies.
    public var registers: Range<Int> { address..<address + type.registerCount }

    /// Whether `value` is a reading to trust: finite and inside the plausible range.
    public func isPlausible(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        if let minimum, value < minimum { return false }
        if let maximum, value > maximum { return false }
        return true
    }
}
