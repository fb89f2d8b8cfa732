import X509

extension Certificate.SerialNumber {
    /// A random positive 20-byte serial (RFC 5280 §4.1.2.2: at most 20 octets, positive; CA/B practice: at least
    /// 64 bits of randomness). The first byte is 0x01...0x7F, so the DER INTEGER is exactly 20 bytes.
    package static func random() -> Certificate.SerialNumber {
        var bytes = (0..<20).map { _ in UInt8.random(in: 0...255) }
        bytes[0] = UInt8.random(in: 0x01...0x7F)
        return Certificate.SerialNumber(bytes: bytes[...])
    }
}
