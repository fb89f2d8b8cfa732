/// Appends big-endian fields and canonical A-XDR lengths to a byte array.
///
/// Public so that hot paths (a measurement record every poll) can write their structure straight into bytes
/// without building a `COSEMData` tree first.
///
/// Its methods are `@inlinable` so that such hot paths in other modules pay no call per byte.
public struct ByteWriter: Sendable {
    @usableFromInline var storage: [UInt8] = []
    /// What has been written.
    @inlinable public var bytes: [UInt8] { storage }

    @inlinable
    public init() {}

    @inlinable
    public init(capacity: Int) {
        storage.reserveCapacity(capacity)
    }

    @inlinable
    public mutating func u8(_ value: UInt8) { storage.append(value) }
    @inlinable
    public mutating func u16(_ value: UInt16) { append(UInt64(value), width: 2) }
    @inlinable
    public mutating func u32(_ value: UInt32) { append(UInt64(value), width: 4) }
    @inlinable
    public mutating func u64(_ value: UInt64) { append(value, width: 8) }
    @inlinable
    public mutating func bytes<S: Sequence>(_ values: S) where S.Element == UInt8 { storage.append(contentsOf: values) }

    /// An A-XDR length in its canonical form (see `AXDRLength`).
    @inlinable
    public mutating func length(_ value: Int) {
        if value < 0x80 {
            storage.append(UInt8(max(0, value)))
        } else {
            storage.append(contentsOf: AXDRLength.encode(value))
        }
    }

    /// An A-XDR octet string: length, then the bytes.
    @inlinable
    public mutating func octetString(_ value: [UInt8]) {
        length(value.count)
        storage.append(contentsOf: value)
    }

    @inlinable @usableFromInline
    mutating func append(_ value: UInt64, width: Int) {
        // The value's big-endian bytes, last `width` of eight, in one append.
        withUnsafeBytes(of: value.bigEndian) { raw in
            storage.append(contentsOf: raw[(8 - width)...])
        }
    }
}
