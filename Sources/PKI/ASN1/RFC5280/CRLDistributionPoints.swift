import SwiftASN1
import X509

/// The CRL distribution points extension (RFC 5280 §4.2.1.13), which swift-certificates has no type for:
/// `CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint`. Certificates here carry one point,
/// the URL of pkid's `/crl`.
package struct CRLDistributionPoints: Hashable, Sendable, CertificateExtensionConvertible {
    package static let extensionOID: ASN1ObjectIdentifier = [2, 5, 29, 31]

    package var points: [DistributionPoint]

    /// One distribution point, at `uri`.
    package init(uri: String) {
        points = [DistributionPoint(fullName: [.uniformResourceIdentifier(uri)])]
    }

    package init(_ ext: Certificate.Extension) throws {
        guard ext.oid == Self.extensionOID else { throw PKIError.malformed("\(ext.oid) is not a CRL distribution points extension") }
        points = try DER.sequence(of: DistributionPoint.self, identifier: .sequence, rootNode: try DER.parse(ext.value))
        guard !points.isEmpty else { throw PKIError.malformed("CRL distribution points without a point") }
    }

    package func makeCertificateExtension() throws -> Certificate.Extension {
        var serializer = DER.Serializer()
        try serializer.serializeSequenceOf(points)
        return Certificate.Extension(oid: Self.extensionOID, critical: false, value: serializer.serializedBytes[...])
    }
}
