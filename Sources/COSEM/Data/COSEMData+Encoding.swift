extension COSEMData {
    /// The canonical A-XDR encoding: tag, then the value; lengths and element counts in their shortest form.
    public var encoded: [UInt8] {
        var writer = ByteWriter()
        write(to: &writer)
        return writer.bytes
    }

    func write(to writer: inout ByteWriter) {
        writer.u8(tag.rawValue)
        switch self {
        case .null:
            break
        case .array(let elements), .structure(let elements):
            writer.length(elements.count)
            for element in elements { element.write(to: &writer) }
        case .boolean(let value):
            writer.u8(value ? 1 : 0)
        case .bitString(let bits):
            writer.length(bits.count)
            writer.bytes(bits.bytes)
        case .doubleLong(let value):
            writer.u32(UInt32(bitPattern: value))
        case .doubleLongUnsigned(let value):
            writer.u32(value)
        case .octetString(let bytes), .visibleString(let bytes):
            writer.octetString(bytes)
        case .utf8String(let text):
            writer.octetString(Array(text.utf8))
        case .bcd(let value), .unsigned(let value), .enumerated(let value):
            writer.u8(value)
        case .integer(let value):
            writer.u8(UInt8(bitPattern: value))
        case .long(let value):
            writer.u16(UInt16(bitPattern: value))
        case .longUnsigned(let value):
            writer.u16(value)
        case .long64(let value):
            writer.u64(UInt64(bitPattern: value))
        case .long64Unsigned(let value):
            writer.u64(value)
        case .float32(let value):
            writer.u32(value.bitPattern)
        case .float64(let value):
            writer.u64(value.bitPattern)
        case .dateTime(let value):
            value.write(to: &writer)
        case .date(let value):
            value.write(to: &writer)
        case .time(let value):
            value.write(to: &writer)
        }
    }
}
