/// A COSEM attribute value: the A-XDR `Data` CHOICE of IEC 62056-6-2, one case per tag (REFERENCE §3).
///
/// Named `COSEMData` so it never collides with Foundation's `Data` in files that import both. Strings keep the
/// exact bytes or characters that were sent, so encoding a decoded value reproduces the input byte for byte.
public indirect enum COSEMData: Sendable, Hashable {
    case null
    case array([COSEMData])
    case structure([COSEMData])
    case boolean(Bool)
    case bitString(BitString)
    case doubleLong(Int32)
    case doubleLongUnsigned(UInt32)
    case octetString([UInt8])
    /// ISO 646 printable characters (0x20...0x7E); kept as bytes because that is what the meter sent.
    case visibleString([UInt8])
    case utf8String(String)
    /// One byte holding two BCD digits (current Gurux and dlms-cosem read bcd as a single byte).
    case bcd(UInt8)
    case integer(Int8)
    case long(Int16)
    case unsigned(UInt8)
    case longUnsigned(UInt16)
    case long64(Int64)
    case long64Unsigned(UInt64)
    case enumerated(UInt8)
    case float32(Float)
    case float64(Double)
    case dateTime(COSEMDateTime)
    case date(COSEMDate)
    case time(COSEMTime)

    /// A visible-string from text; characters outside 0x20...0x7E are not checked here but make the encoding
    /// one that this module's own decoder refuses, so build visible-strings from printable text only.
    public static func visible(_ text: String) -> COSEMData { .visibleString(Array(text.utf8)) }

    public var tag: DataTag {
        switch self {
        case .null: .null
        case .array: .array
        case .structure: .structure
        case .boolean: .boolean
        case .bitString: .bitString
        case .doubleLong: .doubleLong
        case .doubleLongUnsigned: .doubleLongUnsigned
        case .octetString: .octetString
        case .visibleString: .visibleString
        case .utf8String: .utf8String
        case .bcd: .bcd
        case .integer: .integer
        case .long: .long
        case .unsigned: .unsigned
        case .longUnsigned: .longUnsigned
        case .long64: .long64
        case .long64Unsigned: .long64Unsigned
        case .enumerated: .enumerated
        case .float32: .float32
        case .float64: .float64
        case .dateTime: .dateTime
        case .date: .date
        case .time: .time
        }
    }

    /// The elements of an array or structure, else nil.
    public var elements: [COSEMData]? {
        switch self {
        case .array(let elements), .structure(let elements): elements
        default: nil
        }
    }

    /// Any integer case widened to `Int64`, else nil (long64-unsigned above `Int64.max` too).
    public var integerValue: Int64? {
        switch self {
        case .doubleLong(let v): Int64(v)
        case .doubleLongUnsigned(let v): Int64(v)
        case .integer(let v): Int64(v)
        case .long(let v): Int64(v)
        case .unsigned(let v): Int64(v)
        case .longUnsigned(let v): Int64(v)
        case .long64(let v): v
        case .long64Unsigned(let v): Int64(exactly: v)
        case .enumerated(let v): Int64(v)
        default: nil
        }
    }

    /// The bytes of an octet-string or visible-string, else nil.
    public var octets: [UInt8]? {
        switch self {
        case .octetString(let bytes), .visibleString(let bytes): bytes
        default: nil
        }
    }
}
