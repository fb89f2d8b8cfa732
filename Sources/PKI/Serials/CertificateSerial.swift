import Foundation
import Signing
import SwiftASN1
import X509

/// A certificate's serial number as this PKI names it everywhere: the directory's key, the CRL lookup, OCSP,
/// `certificate_info`, pkid's `/certificates/<serial>` and `gatewayctl ca show/revoke`.
///
/// It wraps swift-certificates' `Certificate.SerialNumber`, whose bytes are the serial's magnitude: the DER
/// INTEGER's content without the 00 byte DER puts before a magnitude whose high bit is set. Two serials are equal
/// when their magnitudes are, so `02 02 00 80` in one encoding and the 80 a user types name the same certificate;
/// before this type, three string forms disagreed on exactly that leading 00.
///
/// **The canonical text** (`description`, and what the Central Directory stores) is the magnitude in upper-case
/// hex, leading zero bytes stripped, two digits a byte: `80FF`, `0A1B`, and `00` for zero. It is what
/// `openssl x509 -serial` prints, so a serial copied from openssl matches the directory's key as it is.
///
/// **Parsing** (`init(parsing:)`) takes what people paste: any case, a `0x` prefix, an odd number of digits
/// (`ABC` is `0ABC`), leading 00 bytes (`0080FF` is `80FF`), and colon-separated bytes of one or two digits each
/// (`00:80:ff` as openssl and browsers print it, `80:ff` or `8:f` as swift-certificates' `description` prints
/// it). The magnitude may be at most 20 bytes (RFC 5280 §4.1.2.2), which also admits the 21-byte DER INTEGER of
/// a 20-byte magnitude with its high bit set that some CAs issue.
public struct CertificateSerial: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible, Codable {
    /// The serial as swift-certificates holds it, its bytes the magnitude without leading zeros.
    public let serialNumber: Certificate.SerialNumber

    /// The longest magnitude `init(parsing:)` accepts (RFC 5280 §4.1.2.2: "MUST NOT use serialNumber values
    /// longer than 20 octets").
    public static let maximumOctets = 20

    public init(_ serialNumber: Certificate.SerialNumber) {
        // `bytes` is a public var of swift-certificates' type: normalise again, so equality is on the magnitude
        // even for a value someone assembled with leading zeros.
        self.serialNumber = Certificate.SerialNumber(bytes: serialNumber.bytes)
    }

    /// The serial from its magnitude, big-endian; leading zero bytes are allowed and ignored.
    public init(magnitude: some Collection<UInt8>) {
        serialNumber = Certificate.SerialNumber(bytes: magnitude)
    }

    /// The magnitude, big-endian, without leading zero bytes (empty for zero).
    public var magnitude: ArraySlice<UInt8> { serialNumber.bytes }

    /// Reads a serial as a person or another tool writes it (see the type's comment for the forms).
    public init(parsing text: String) throws(PKIError) {
        // A bound before any work: pkid parses this from a URL path.
        guard text.utf8.count <= 128 else { throw .invalidSerial(String(text.prefix(40)) + "…") }
        var digits = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        var bytes: [UInt8] = []
        if digits.contains(":") {
            for group in digits.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...2).contains(group.count), group.allSatisfy(\.isHexDigit), let byte = UInt8(group, radix: 16) else {
                    throw .invalidSerial(text)
                }
                bytes.append(byte)
            }
        } else {
            guard !digits.isEmpty, digits.allSatisfy(\.isHexDigit) else { throw .invalidSerial(text) }
            let padded = digits.count % 2 == 1 ? "0" + digits : String(digits)
            var index = padded.startIndex
            while index < padded.endIndex {
                let next = padded.index(index, offsetBy: 2)
                guard let byte = UInt8(padded[index..<next], radix: 16) else { throw .invalidSerial(text) }
                bytes.append(byte)
                index = next
            }
        }
        self.init(magnitude: bytes)
        guard magnitude.count <= Self.maximumOctets else { throw .invalidSerial(text) }
    }

    public init?(_ description: String) {
        guard let serial = try? CertificateSerial(parsing: description) else { return nil }
        self = serial
    }

    /// The canonical text: upper-case hex of the magnitude, two digits a byte, `00` for zero.
    public var description: String {
        magnitude.isEmpty ? "00" : magnitude.hexString
    }

    /// Encoded as the canonical text, decoded from any text `init(parsing:)` reads.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = try CertificateSerial(parsing: try container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Certificate {
    /// This certificate's serial, as the Central Directory, the CRL and OCSP name it.
    public var serial: CertificateSerial { CertificateSerial(serialNumber) }
}
