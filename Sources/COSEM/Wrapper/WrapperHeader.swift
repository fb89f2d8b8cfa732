/// The 8-byte header of the IEC 62056-4-7 TCP/UDP wrapper: version (0x0001), source wPort, destination wPort
/// and the length of the APDU that follows, each a big-endian u16 (REFERENCE §3).
public struct WrapperHeader: Sendable, Hashable {
    public static let size = 8
    /// The only wrapper version defined.
    public static let version: UInt16 = 0x0001
    /// Default DLMS/COSEM TCP port.
    public static let defaultPort: UInt16 = 4059

    /// Well-known wPorts: client 16 = public client, 1 = management; server 1 = management logical device.
    public static let publicClient: UInt16 = 16
    public static let managementClient: UInt16 = 1
    public static let managementLogicalDevice: UInt16 = 1

    public var source: UInt16
    public var destination: UInt16
    public var length: UInt16

    public init(source: UInt16, destination: UInt16, length: UInt16) {
        self.source = source
        self.destination = destination
        self.length = length
    }

    public var bytes: [UInt8] {
        [UInt8(Self.version >> 8), UInt8(Self.version & 0xFF), UInt8(source >> 8), UInt8(source & 0xFF),
         UInt8(destination >> 8), UInt8(destination & 0xFF), UInt8(length >> 8), UInt8(length & 0xFF)]
    }

    /// Parses the first 8 bytes of `bytes` (more may follow); refuses other versions.
    public init<C: Collection>(parsing bytes: C) throws(WrapperError) where C.Element == UInt8 {
        guard bytes.count >= Self.size else { throw .truncatedHeader(available: bytes.count) }
        var fields: [UInt16] = []
        var index = bytes.startIndex
        for _ in 0 ..< 4 {
            let high = bytes[index]
            index = bytes.index(after: index)
            fields.append(UInt16(high) << 8 | UInt16(bytes[index]))
            index = bytes.index(after: index)
        }
        guard fields[0] == Self.version else { throw .unsupportedVersion(fields[0]) }
        self.init(source: fields[1], destination: fields[2], length: fields[3])
    }
}
