/// Reads consecutive BER-TLV elements from a buffer, checking every length against the bytes that are there.
/// Hostile input ends in a `TLVError`, never a trap: a host can send a card anything.
public struct TLVReader: Sendable {
    /// The largest value accepted. The biggest PIV object this card stores is a certificate container; 64 KiB
    /// is far above any and far below what would hurt.
    public static let maximumLength = 0xFFFF

    private let bytes: [UInt8]
    private(set) var offset: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        offset = 0
    }

    public var isAtEnd: Bool { offset >= bytes.count }

    /// All elements up to the end of the buffer.
    public static func elements(of bytes: [UInt8]) throws(TLVError) -> [TLV] {
        var reader = TLVReader(bytes)
        var elements: [TLV] = []
        while let element = try reader.next() { elements.append(element) }
        return elements
    }

    /// The next element, or nil at the end of the buffer.
    public mutating func next() throws(TLVError) -> TLV? {
        guard !isAtEnd else { return nil }
        let tag = try readTag()
        let lengthOffset = offset
        let length = try readLength()
        guard length <= Self.maximumLength else { throw .oversized(offset: lengthOffset, length: length) }
        guard bytes.count - offset >= length else { throw .truncated(offset: bytes.count) }
        let value = Array(bytes[offset..<(offset + length)])
        offset += length
        return TLV(tag: tag, value: value)
    }

    private mutating func readByte() throws(TLVError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// A first byte with all five low bits set continues in further bytes while their high bit is set.
    private mutating func readTag() throws(TLVError) -> UInt32 {
        let start = offset
        let first = try readByte()
        var tag = UInt32(first)
        guard first & 0x1F == 0x1F else { return tag }
        while true {
            let byte = try readByte()
            tag = tag << 8 | UInt32(byte)
            if byte & 0x80 == 0 { return tag }
            if offset - start >= 3 { throw .malformed(offset: start, reason: "tag longer than three bytes") }
        }
    }

    private mutating func readLength() throws(TLVError) -> Int {
        let start = offset
        let first = try readByte()
        if first < 0x80 { return Int(first) }
        if first == 0x80 { throw .malformed(offset: start, reason: "indefinite length") }
        let count = Int(first & 0x7F)
        guard count <= 3 else { throw .oversized(offset: start, length: Int.max) }
        var length = 0
        for _ in 0..<count { length = length << 8 | Int(try readByte()) }
        return length
    }
}
