import COSEM

/// The seed's `value_type`: one register of the reading, as { OBIS code, value, scaler_unit }.
///
/// The value is the meter's float64 as read (tag 0x18), not a rescaled integer, so no precision is lost between
/// meter and signature; a value that could not be read is null-data, one the meter sent as NaN stays NaN.
public struct CounterValue: Sendable, Hashable {
    public var obis: OBISCode
    public var value: Double?
    public var scaler: Int8
    /// DLMS unit code (REFERENCE §3: W 27, VA 28, var 29, Wh 30, VAh 31, varh 32, A 33, V 35, Hz 44, % 56, 255 none).
    public var unit: UInt8

    /// Equal when their encodings are: a NaN value equals the same NaN, so a record read back from its bytes
    /// equals the record that was signed (Double's own == would make every record holding NaN unequal to itself,
    /// and its evidence file unverifiable).
    public static func == (lhs: CounterValue, rhs: CounterValue) -> Bool {
        lhs.obis == rhs.obis && lhs.value?.bitPattern == rhs.value?.bitPattern && lhs.scaler == rhs.scaler && lhs.unit == rhs.unit
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(obis)
        hasher.combine(value?.bitPattern)
        hasher.combine(scaler)
        hasher.combine(unit)
    }

    public init(obis: OBISCode, value: Double?, scaler: Int8 = 0, unit: UInt8) {
        self.obis = obis
        self.value = value
        self.scaler = scaler
        self.unit = unit
    }

    /// DLMS unit codes for the unit symbols of the register map.
    public static func unitCode(_ symbol: String) -> UInt8 {
        switch symbol {
        case "W": 27
        case "VA": 28
        case "var": 29
        case "Wh": 30
        case "VAh": 31
        case "varh": 32
        case "A": 33
        case "V": 35
        case "Hz": 44
        case "%": 56
        default: 255
        }
    }

    public static func unitSymbol(_ code: UInt8) -> String {
        switch code {
        case 27: "W"
        case 28: "VA"
        case 29: "var"
        case 30: "Wh"
        case 31: "VAh"
        case 32: "varh"
        case 33: "A"
        case 35: "V"
        case 44: "Hz"
        case 56: "%"
        default: ""
        }
    }

    var data: COSEMData {
        .structure([
            .octetString(obis.bytes),
            value.map { .float64($0) } ?? .null,
            .structure([.integer(scaler), .enumerated(unit)]),
        ])
    }

    init(_ data: COSEMData) throws(RecordError) {
        guard case .structure(let fields) = data, fields.count == 3,
              case .octetString(let obis) = fields[0],
              case .structure(let scalerUnit) = fields[2], scalerUnit.count == 2,
              case .integer(let scaler) = scalerUnit[0], case .enumerated(let unit) = scalerUnit[1] else {
            throw .malformed("a counter value is not structure { octet-string OBIS, value, structure { integer, enum } }")
        }
        do { self.obis = try OBISCode(bytes: obis) } catch { throw .malformed("a counter value's OBIS code is not 6 bytes") }
        switch fields[1] {
        case .float64(let value): self.value = value
        case .null: self.value = nil
        default: throw .malformed("counter value \(self.obis) is not float64 or null-data")
        }
        self.scaler = scaler
        self.unit = unit
    }
}
