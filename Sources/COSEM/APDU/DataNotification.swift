/// DataNotification (tag 0x0F): `0F | long-invoke-id-and-priority | date-time | notification-body (Data)`.
///
/// The date-time is an octet string without a Data tag: `00` when absent, `0C` + 12 bytes otherwise; any
/// other length is refused. This is the APDU the gateway pushes a measurement record in.
public struct DataNotification: Sendable, Hashable {
    public static let tag: UInt8 = 0x0F

    public var invokeIDAndPriority: LongInvokeIdAndPriority
    public var dateTime: COSEMDateTime?
    public var body: COSEMData

    public init(invokeIDAndPriority: LongInvokeIdAndPriority, dateTime: COSEMDateTime? = nil, body: COSEMData) {
        self.invokeIDAndPriority = invokeIDAndPriority
        self.dateTime = dateTime
        self.body = body
    }

    public var encoded: [UInt8] {
        var writer = ByteWriter()
        writer.u8(Self.tag)
        writer.u32(invokeIDAndPriority.rawValue)
        writeOptionalDateTime(dateTime, to: &writer)
        body.write(to: &writer)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8], limits: DecodingLimits = .default) throws(COSEMError) {
        var reader = ByteReader(bytes)
        try expectTag(Self.tag, in: &reader)
        self = try Self.readBody(from: &reader, limits: limits)
        try reader.expectEnd()
    }

    /// Everything after the tag.
    static func readBody(from reader: inout ByteReader, limits: DecodingLimits) throws(COSEMError) -> DataNotification {
        let invoke = LongInvokeIdAndPriority(rawValue: try reader.u32())
        let dateTime = try readOptionalDateTime(from: &reader)
        return DataNotification(invokeIDAndPriority: invoke, dateTime: dateTime,
                                body: try COSEMData.read(from: &reader, limits: limits))
    }
}

/// An optional date-time carried as an A-XDR octet string: `00`, or `0C` and 12 bytes.
func writeOptionalDateTime(_ dateTime: COSEMDateTime?, to writer: inout ByteWriter) {
    writer.octetString(dateTime?.bytes ?? [])
}

func readOptionalDateTime(from reader: inout ByteReader) throws(COSEMError) -> COSEMDateTime? {
    let start = reader.offset
    let length = try reader.length(limit: 12)
    switch length {
    case 0: return nil
    case 12: return try COSEMDateTime.read(from: &reader)
    default: throw .invalidValue(at: start, "date-time octet string of \(length) bytes (must be 0 or 12)")
    }
}

/// Consumes the APDU tag, refusing any other.
func expectTag(_ tag: UInt8, in reader: inout ByteReader) throws(COSEMError) {
    let start = reader.offset
    let found = try reader.u8()
    guard found == tag else { throw .unsupportedAPDU(tag: found, choice: nil, at: start) }
}
