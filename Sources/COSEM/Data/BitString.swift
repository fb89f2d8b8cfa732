/// An A-XDR bit-string: a length in bits, then the bits packed most significant bit first.
///
/// The unused low bits of the last byte must be zero. The decoder refuses anything else, because two encodings
/// of the same bits would break the decode-then-encode identity that signature checks rely on.
public struct BitString: Sendable, Hashable, CustomStringConvertible {
    /// Number of meaningful bits.
    public let count: Int
    /// The packed bits, `(count + 7) / 8` bytes, unused bits zero.
    public let bytes: [UInt8]

    /// Packs `bits`, the first element becoming the most significant bit of the first byte.
    public init(_ bits: [Bool]) {
        var bytes = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (index, bit) in bits.enumerated() where bit {
            bytes[index / 8] |= 0x80 >> UInt8(index % 8)
        }
        self.count = bits.count
        self.bytes = bytes
    }

    /// Takes `count` bits from packed `bytes`; nil if the byte count does not match or unused bits are set.
    public init?(count: Int, bytes: [UInt8]) {
        guard count >= 0, bytes.count == (count + 7) / 8 else { return nil }
        if count % 8 != 0, let last = bytes.last, last & (0xFF >> UInt8(count % 8)) != 0 { return nil }
        self.count = count
        self.bytes = bytes
    }

    /// Bit `index`, counting from the most significant bit of the first byte.
    public subscript(index: Int) -> Bool {
        guard index >= 0, index < count else { return false }
        return bytes[index / 8] & (0x80 >> UInt8(index % 8)) != 0
    }

    public var bits: [Bool] { (0 ..< count).map { self[$0] } }

    /// The bits as `0`/`1` characters, first bit first.
    public var description: String { String(bits.map { $0 ? "1" : "0" }) }
}
