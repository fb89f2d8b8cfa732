/// A DLMS system title: 8 bytes that name a device, written as 16 hex digits; the subject CN of its signing and
/// TLS certificates, and how a receiver finds the signer's certificate.
public struct SystemTitle: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(hex: String) throws(PKIError) {
        guard hex.count == 16 else { throw .invalidSystemTitle(hex) }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { throw .invalidSystemTitle(hex) }
            bytes.append(byte)
            index = next
        }
        self.bytes = bytes
    }

    public init(bytes: [UInt8]) throws(PKIError) {
        guard bytes.count == 8 else { throw .invalidSystemTitle(bytes.map { String($0, radix: 16) }.joined()) }
        self.bytes = bytes
    }

    /// Upper-case hex, as the certificate's CN carries it.
    public var description: String { bytes.hexString }
}
