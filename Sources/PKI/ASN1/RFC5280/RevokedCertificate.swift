import SwiftASN1
import X509

/// One entry of a CRL (RFC 5280 §5.1.2.6):
/// ```
/// revokedCertificates     SEQUENCE OF SEQUENCE  {
///      userCertificate         CertificateSerialNumber,
///      revocationDate          Time,
///      crlEntryExtensions      Extensions OPTIONAL }
/// ```
/// This PKI writes one entry extension, the reason code, and only when the reason is not unspecified
/// (RFC 5280 §5.3.1: "the reason code extension SHOULD be absent instead of using the unspecified").
package struct RevokedCertificate: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var userCertificate: CertificateSerialNumber
    package var revocationDate: X509Time
    package var crlEntryExtensions: Certificate.Extensions?

    package init(userCertificate: CertificateSerialNumber, revocationDate: X509Time, crlEntryExtensions: Certificate.Extensions?) {
        self.userCertificate = userCertificate
        self.revocationDate = revocationDate
        self.crlEntryExtensions = crlEntryExtensions
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let serial = try CertificateSerialNumber(derEncoded: &nodes)
            let date = try X509Time(derEncoded: &nodes)
            let extensions = try nodes.next().map { node in
                try Certificate.Extensions(DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: node))
            }
            return RevokedCertificate(userCertificate: serial, revocationDate: date, crlEntryExtensions: extensions)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(userCertificate)
            try coder.serialize(revocationDate)
            if let crlEntryExtensions { try coder.serializeSequenceOf(crlEntryExtensions) }
        }
    }

    /// The entry's reason code; unspecified when it has none, or one this PKI does not name.
    package var reason: CRLReason {
        get throws {
            guard let code = crlEntryExtensions?[oid: CRLReason.extensionOID] else { return .unspecified }
            return try CRLReason(code)
        }
    }
}
