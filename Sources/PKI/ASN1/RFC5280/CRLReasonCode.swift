import SwiftASN1
import X509

/// The reason code CRL entry extension (RFC 5280 §5.3.1): `id-ce-cRLReasons OBJECT IDENTIFIER ::= { id-ce 21 }`,
/// whose value is `CRLReason ::= ENUMERATED`. OCSP's RevokedInfo carries the same ENUMERATED (RFC 6960 §4.2.1).
extension CRLReason: DERImplicitlyTaggable, CertificateExtensionConvertible {
    package static let extensionOID: ASN1ObjectIdentifier = [2, 5, 29, 21]

    public static var defaultIdentifier: ASN1Identifier { .enumerated }

    /// A code this PKI does not name (removeFromCRL, aACompromise) reads as unspecified: it still revokes.
    public init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = CRLReason(rawValue: try Int(derEncoded: rootNode, withIdentifier: identifier)) ?? .unspecified
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try rawValue.serialize(into: &coder, withIdentifier: identifier)
    }

    /// The reason a reason code extension gives.
    package init(_ ext: Certificate.Extension) throws {
        guard ext.oid == Self.extensionOID else { throw PKIError.malformed("\(ext.oid) is not a reason code extension") }
        self = try CRLReason(derEncoded: try DER.parse(ext.value))
    }

    public func makeCertificateExtension() throws -> Certificate.Extension {
        Certificate.Extension(oid: Self.extensionOID, critical: false, value: try derBytes(self)[...])
    }
}
