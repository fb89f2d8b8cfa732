import Signing
import X509

extension Certificate.SerialNumber {
    /// A random positive 20-byte serial (RFC 5280 §4.1.2.2: at most 20 octets, positive; CA/B practice: at least
    /// 64 bits of randomness). The first byte is 0x01...0x7F, so the DER INTEGER is exactly 20 bytes.
    package static func random() -> Certificate.SerialNumber {
        var bytes = (0..<20).map { _ in UInt8.random(in: 0...255) }
        bytes[0] = UInt8.random(in: 0x01...0x7F)
        return Certificate.SerialNumber(bytes: bytes[...])
    }

    /// Upper-case hex, the Central Directory's key.
    package var hex: String { bytes.hexString }
}

/// Parses a serial given by a user (hex, any case, optional colons or a 0x prefix) into the directory's key.
public func parseSerial(_ text: String) throws(PKIError) -> String {
    var hex = text.replacingOccurrences(of: ":", with: "")
    if hex.hasPrefix("0x") || hex.hasPrefix("0X") { hex.removeFirst(2) }
    guard !hex.isEmpty, hex.count <= 42, hex.allSatisfy(\.isHexDigit) else { throw .invalidSerial(text) }
    if hex.count % 2 == 1 { hex = "0" + hex }
    return hex.uppercased()
}
