extension COSEMData {
    /// Decodes exactly one value that fills `bytes`; anything after it throws `trailingBytes`.
    public init(decoding bytes: [UInt8], limits: DecodingLimits = .default) throws(COSEMError) {
        var reader = ByteReader(bytes)
        self = try Self.read(from: &reader, limits: limits)
        try reader.expectEnd()
    }

    static func read(from reader: inout ByteReader, limits: DecodingLimits) throws(COSEMError) -> COSEMData {
        var budget = limits.maxValues
        return try read(from: &reader, limits: limits, depth: 1, budget: &budget)
    }

    /// `budget` is how many more values may be decoded; it is spent before a value's memory is.
    private static func read(from reader: inout ByteReader, limits: DecodingLimits, depth: Int, budget: inout Int) throws(COSEMError) -> COSEMData {
        let start = reader.offset
        guard budget > 0 else { throw .tooManyValues(at: start, limit: limits.maxValues) }
        budget -= 1
        let rawTag = try reader.u8()
        guard let tag = DataTag(rawValue: rawTag) else { throw .unknownTag(rawTag, at: start) }
        switch tag {
        case .null:
            return .null
        case .array, .structure:
            guard depth <= limits.maxDepth else { throw .nestingTooDeep(at: start, limit: limits.maxDepth) }
            let count = try reader.length(limit: limits.maxElements)
            // Every element takes at least one byte, so a count beyond the input is a truncation, caught before
            // reserving room for it.
            guard count <= reader.remaining else { throw .truncated(at: reader.offset + reader.remaining) }
            guard count <= budget else { throw .tooManyValues(at: start, limit: limits.maxValues) }
            var elements: [COSEMData] = []
            elements.reserveCapacity(count)
            for _ in 0 ..< count {
                elements.append(try read(from: &reader, limits: limits, depth: depth + 1, budget: &budget))
            }
            return tag == .array ? .array(elements) : .structure(elements)
        case .boolean:
            let value = try reader.u8()
            guard value <= 1 else { throw .invalidValue(at: start + 1, "boolean \(value) (only 0 and 1 are canonical)") }
            return .boolean(value == 1)
        case .bitString:
            let lengthAt = reader.offset
            let bitLimit = limits.maxLength > Int.max / 8 ? Int.max : limits.maxLength * 8
            let bitCount = try reader.length(limit: bitLimit)
            let bytes = try reader.bytes((bitCount + 7) / 8)
            guard let bits = BitString(count: bitCount, bytes: bytes) else {
                throw .invalidValue(at: lengthAt, "bit-string with unused bits set")
            }
            return .bitString(bits)
        case .doubleLong:
            return .doubleLong(Int32(bitPattern: try reader.u32()))
        case .doubleLongUnsigned:
            return .doubleLongUnsigned(try reader.u32())
        case .octetString:
            return .octetString(try reader.bytes(try reader.length(limit: limits.maxLength)))
        case .visibleString:
            let bytesAt = reader.offset
            let bytes = try reader.bytes(try reader.length(limit: limits.maxLength))
            if let bad = bytes.firstIndex(where: { !(0x20 ... 0x7E ~= $0) }) {
                throw .invalidValue(at: bytesAt, "visible-string byte 0x\(hex(bytes[bad])) is not printable ASCII")
            }
            return .visibleString(bytes)
        case .utf8String:
            let bytesAt = reader.offset
            let bytes = try reader.bytes(try reader.length(limit: limits.maxLength))
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw .invalidValue(at: bytesAt, "utf8-string is not valid UTF-8")
            }
            return .utf8String(text)
        case .bcd:
            return .bcd(try reader.u8())
        case .integer:
            return .integer(Int8(bitPattern: try reader.u8()))
        case .long:
            return .long(Int16(bitPattern: try reader.u16()))
        case .unsigned:
            return .unsigned(try reader.u8())
        case .longUnsigned:
            return .longUnsigned(try reader.u16())
        case .long64:
            return .long64(Int64(bitPattern: try reader.u64()))
        case .long64Unsigned:
            return .long64Unsigned(try reader.u64())
        case .enumerated:
            return .enumerated(try reader.u8())
        case .float32:
            return .float32(Float(bitPattern: try reader.u32()))
        case .float64:
            return .float64(Double(bitPattern: try reader.u64()))
        case .dateTime:
            return .dateTime(try COSEMDateTime.read(from: &reader))
        case .date:
            return .date(try COSEMDate.read(from: &reader))
        case .time:
            return .time(try COSEMTime.read(from: &reader))
        }
    }
}
