/// Appends big-endian fields and canonical A-XDR lengths to a byte array.
///
/// Public so that hot paths (a measurement record every poll) can write their structure straight into bytes
/// without building a `COSEMData` tree first.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func u8(_ value: UInt8) { bytes.append(value) }
    public mutating func u16(_ value: UInt16) { append(UInt64(value), width: 2) }
    public mutating func u32(_ value: UInt32) { append(UInt64(value), width: 4) }
    public mutating func u64(_ value: UInt64) { append(value, width: 8) }
    public mutating func bytes<S: Sequence>(_ values: S) where S.Element == UInt8 { bytes.append(contentsOf: values) }

    /// An A-XDR length in its canonical form (see `AXDRLength`).
    public mutating func length(_ value: Int) {
        if value < 0x80 {
            bytes.append(UInt8(max(0, value)))
        } else {
            bytes.append(contentsOf: AXDRLength.encode(value))
        }
    }

    /// An A-XDR octet string: length, then the bytes.
    public mutating func octetString(_ value: [UInt8]) {
        length(value.count)
        bytes.append(contentsOf: value)
    }

    private mutating func append(_ value: UInt64, width: Int) {
        // The value's big-endian bytes, last `width` of eight, in one append.
        withUnsafeBytes(of: value.bigEndian) { raw in
            bytes.append(contentsOf: raw[(8 - width)...])
        }
    }
}
