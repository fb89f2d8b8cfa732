/// Get-Request-Normal (`C0 01`): one attribute, optionally with selective access.
///
/// `C0 01 | invoke-id-and-priority | class-id u16 | OBIS (6) | attribute i8 | access-selection`, where
/// access-selection is `00`, or `01 | selector u8 | parameters (Data)`.
public struct GetRequestNormal: Sendable, Hashable {
    public static let tag: UInt8 = 0xC0
    public static let choice: UInt8 = 0x01

    public var invokeIDAndPriority: InvokeIdAndPriority
    public var attribute: AttributeDescriptor
    public var access: SelectiveAccess?

    public init(invokeIDAndPriority: InvokeIdAndPriority, attribute: AttributeDescriptor, access: SelectiveAccess? = nil) {
        self.invokeIDAndPriority = invokeIDAndPriority
        self.attribute = attribute
        self.access = access
    }

    public var encoded: [UInt8] {
        var writer = ByteWriter()
        writer.u8(Self.tag)
        writer.u8(Self.choice)
        writer.u8(invokeIDAndPriority.rawValue)
        attribute.write(to: &writer)
        if let access {
            writer.u8(1)
            writer.u8(access.selector)
            access.parameters.write(to: &writer)
        } else {
            writer.u8(0)
        }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8], limits: DecodingLimits = .default) throws(COSEMError) {
        var reader = ByteReader(bytes)
        try expectTag(Self.tag, in: &reader)
        try expectChoice(Self.choice, of: Self.tag, in: &reader)
        self = try Self.readBody(from: &reader, limits: limits)
        try reader.expectEnd()
    }

    /// Everything after `C0 01`.
    static func readBody(from reader: inout ByteReader, limits: DecodingLimits) throws(COSEMError) -> GetRequestNormal {
        let invoke = InvokeIdAndPriority(rawValue: try reader.u8())
        let attribute = try AttributeDescriptor.read(from: &reader)
        let flagAt = reader.offset
        switch try reader.u8() {
        case 0:
            return GetRequestNormal(invokeIDAndPriority: invoke, attribute: attribute)
        case 1:
            let selector = try reader.u8()
            let parameters = try COSEMData.read(from: &reader, limits: limits)
            return GetRequestNormal(invokeIDAndPriority: invoke, attribute: attribute,
                                    access: SelectiveAccess(selector: selector, parameters: parameters))
        case let flag:
            throw .invalidValue(at: flagAt, "access-selection flag \(flag) (must be 0 or 1)")
        }
    }
}

/// Consumes the CHOICE byte that follows a service tag (`01` = normal), refusing the others.
func expectChoice(_ choice: UInt8, of tag: UInt8, in reader: inout ByteReader) throws(COSEMError) {
    let start = reader.offset
    let found = try reader.u8()
    guard found == choice else { throw .unsupportedAPDU(tag: tag, choice: found, at: start) }
}
