/// Reads big-endian fields and A-XDR lengths from a byte buffer, never past its end.
///
/// Every read checks the remaining count first and throws `COSEMError.truncated(at:)` instead of trapping, so
/// decoders built on it cannot crash on short or hostile input. Offsets in errors are relative to the start of
/// the buffer the reader was made with.
///
/// Its methods are `@inlinable`: the record codec reads every reading through it from another module, and a call
/// per byte across the module boundary cost more than the rest of decoding (`gatewayctl bench record`).
public struct ByteReader: Sendable {
    @usableFromInline let bytes: [UInt8]
    @usableFromInline var position: Int
    /// How far the reader has read, from the start of its buffer.
    @inlinable public var offset: Int { position }

    @inlinable
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
    }

    @inlinable
    public var remaining: Int { bytes.count - offset }
    @inlinable
    public var isAtEnd: Bool { offset >= bytes.count }

    @inlinable
    public mutating func u8() throws(COSEMError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated(at: offset) }
        defer { position += 1 }
        return bytes[offset]
    }

    /// The next byte without consuming it, or nil at the end.
    @inlinable
    public func peek() -> UInt8? { isAtEnd ? nil : bytes[offset] }

    @inlinable
    public mutating func u16() throws(COSEMError) -> UInt16 { UInt16(truncatingIfNeeded: try unsigned(2)) }
    @inlinable
    public mutating func u32() throws(COSEMError) -> UInt32 { UInt32(truncatingIfNeeded: try unsigned(4)) }
    @inlinable
    public mutating func u64() throws(COSEMError) -> UInt64 { try unsigned(8) }

    @inlinable
    public mutating func bytes(_ count: Int) throws(COSEMError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw .truncated(at: bytes.count) }
        defer { position += count }
        return Array(bytes[offset ..< offset + count])
    }

    /// A big-endian unsigned integer of `width` bytes (1...8).
    @inlinable @usableFromInline
    mutating func unsigned(_ width: Int) throws(COSEMError) -> UInt64 {
        guard remaining >= width else { throw .truncated(at: bytes.count) }
        var value: UInt64 = 0
        for index in offset ..< offset + width { value = value << 8 | UInt64(bytes[index]) }
        position += width
        return value
    }

    /// An A-XDR length or element count: one byte below 0x80, else `0x80 | n` followed by n big-endian bytes.
    ///
    /// Only the shortest of the forms encoders write (1 byte, `81`, `82`, `84`) is accepted; a longer form
    /// throws `nonCanonicalLength`, so decode-then-encode always gives back the input. A value above `limit`
    /// throws `oversized` before anything is allocated.
    @inlinable
    public mutating func length(limit: Int) throws(COSEMError) -> Int {
        let start = offset
        let first = try u8()
        let value: UInt64
        switch first {
        case 0x00 ..< 0x80:
            value = UInt64(first)
        case 0x81, 0x82, 0x83, 0x84:
            value = try unsigned(Int(first & 0x7F))
            guard AXDRLength.form(of: value) == first else { throw .nonCanonicalLength(at: start) }
        default:
            throw .invalidLengthForm(first, at: start)
        }
        guard value <= UInt64(limit) else { throw .oversized(at: start, length: Int(clamping: value), limit: limit) }
        return Int(value)
    }

    /// Throws `trailingBytes` unless everything was read.
    @inlinable
    public func expectEnd() throws(COSEMError) {
        guard isAtEnd else { throw .trailingBytes(at: offset, count: remaining) }
    }
}
