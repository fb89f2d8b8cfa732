/// Appends big-endian fields and canonical A-XDR lengths to a byte array.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init() {}

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { append(UInt64(value), width: 2) }
    mutating func u32(_ value: UInt32) { append(UInt64(value), width: 4) }
    mutating func u64(_ value: UInt64) { append(value, width: 8) }
    mutating func bytes<S: Sequence>(_ values: S) where S.Element == UInt8 { bytes.append(contentsOf: values) }

    /// An A-XDR length in its canonical form (see `AXDRLength`).
    mutating func length(_ value: Int) {
        bytes.append(contentsOf: AXDRLength.encode(value))
    }

    /// An A-XDR octet string: length, then the bytes.
    mutating func octetString(_ value: [UInt8]) {
        length(value.count)
        bytes.append(contentsOf: value)
    }

    private mutating func append(_ value: UInt64, width: Int) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }
}
