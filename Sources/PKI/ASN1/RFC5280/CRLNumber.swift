import SwiftASN1
import X509

/// The CRL number extension (RFC 5280 §5.2.3): `CRLNumber ::= INTEGER (0..MAX)`, increasing with every CRL the
/// CA issues, so a relying party can tell which of two CRLs is newer.
package struct CRLNumber: Hashable, Sendable, CertificateExtensionConvertible {
    package static let extensionOID: ASN1ObjectIdentifier = [2, 5, 29, 20]

    /// The number's magnitude, big-endian: RFC 5280 allows up to 20 octets, more than an `Int` holds.
    package var magnitude: ArraySlice<UInt8>

    package init(_ value: Int) {
        magnitude = ArraySlice((0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }.drop { $0 == 0 })
    }

    /// The number a CRL number extension gives; a negative INTEGER throws.
    package init(_ ext: Certificate.Extension) throws {
        guard ext.oid == Self.extensionOID else { throw PKIError.malformed("\(ext.oid) is not a CRL number extension") }
        magnitude = try ArraySlice<UInt8>(derEncoded: try DER.parse(ext.value))
    }

    /// The number, when an `Int` holds it.
    package var value: Int? {
        let significant = magnitude.drop { $0 == 0 }
        guard significant.count < 8 || (significant.count == 8 && significant[significant.startIndex] & 0x80 == 0) else { return nil }
        return significant.reduce(0) { $0 << 8 | Int($1) }
    }

    package func makeCertificateExtension() throws -> Certificate.Extension {
        Certificate.Extension(oid: Self.extensionOID, critical: false, value: try derBytes(magnitude)[...])
    }
}
