/// The A-XDR tags of the COSEM `Data` CHOICE that this module handles (REFERENCE §3, IEC 62056-6-2).
///
/// Tags the Blue Book also defines but that no data set of this project uses — 0x07 floating-point, 0x13
/// compact-array, 0xFF dont-care — are refused as `unknownTag` rather than half-supported.
public enum DataTag: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case null = 0x00
    case array = 0x01
    case structure = 0x02
    case boolean = 0x03
    case bitString = 0x04
    case doubleLong = 0x05
    case doubleLongUnsigned = 0x06
    case octetString = 0x09
    case visibleString = 0x0A
    case utf8String = 0x0C
    case bcd = 0x0D
    case integer = 0x0F
    case long = 0x10
    case unsigned = 0x11
    case longUnsigned = 0x12
    case long64 = 0x14
    case long64Unsigned = 0x15
    case enumerated = 0x16
    case float32 = 0x17
    case float64 = 0x18
    case dateTime = 0x19
    case date = 0x1A
    case time = 0x1B

    /// The name the Blue Book (and Gurux's translator) uses.
    public var description: String {
        switch self {
        case .null: "null-data"
        case .array: "array"
        case .structure: "structure"
        case .boolean: "boolean"
        case .bitString: "bit-string"
        case .doubleLong: "double-long"
        case .doubleLongUnsigned: "double-long-unsigned"
        case .octetString: "octet-string"
        case .visibleString: "visible-string"
        case .utf8String: "utf8-string"
        case .bcd: "bcd"
        case .integer: "integer"
        case .long: "long"
        case .unsigned: "unsigned"
        case .longUnsigned: "long-unsigned"
        case .long64: "long64"
        case .long64Unsigned: "long64-unsigned"
        case .enumerated: "enum"
        case .float32: "float32"
        case .float64: "float64"
        case .dateTime: "date-time"
        case .date: "date"
        case .time: "time"
        }
    }
}
