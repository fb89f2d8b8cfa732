import SwiftASN1
import X509

/// A CMS SignedData (RFC 5652 §5.1) in the one form EST uses, certs-only (RFC 7030 §4.1.3): certificates and
/// no signers.
/// ```
/// SignedData ::= SEQUENCE {
///   version CMSVersion,
///   digestAlgorithms DigestAlgorithmIdentifiers,
///   encapContentInfo EncapsulatedContentInfo,
///   certificates [0] IMPLICIT CertificateSet OPTIONAL,
///   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
///   signerInfos SignerInfos }
/// ```
/// swift-certificates has the signed form as its internal `CMSSignedData`. The certificates are written in the
/// order given, leaf first, rather than sorted as DER's SET OF would: EST clients and `openssl pkcs7` take the
/// order as the chain's, and the bytes pkid has always served are kept. A SignedData with signers is refused:
/// nothing here would check their signatures. CRLs are read past and never written.
package struct SignedData: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    private static let certificatesIdentifier = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    private static let crlsIdentifier = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)

    /// 1: no attribute certificates, no other formats, id-data content (RFC 5652 §5.1).
    package var version: Int
    package var digestAlgorithms: [AlgorithmIdentifier]
    package var encapContentInfo: EncapsulatedContentInfo
    package var certificates: [Certificate]

    /// A certs-only SignedData carrying `certificates`.
    package init(certsOnly certificates: [Certificate]) {
        version = 1
        digestAlgorithms = []
        encapContentInfo = EncapsulatedContentInfo(eContentType: ContentInfo.data)
        self.certificates = certificates
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            var signedData = SignedData(certsOnly: [])
            signedData.version = try Int(derEncoded: &nodes)
            signedData.digestAlgorithms = try DER.set(of: AlgorithmIdentifier.self, identifier: .set, nodes: &nodes)
            signedData.encapContentInfo = try EncapsulatedContentInfo(derEncoded: &nodes)
            var next = nodes.next()
            if let node = next, node.identifier == Self.certificatesIdentifier {
                signedData.certificates = try DER.sequence(of: Certificate.self, identifier: Self.certificatesIdentifier, rootNode: node)
                next = nodes.next()
            }
            if let node = next, node.identifier == Self.crlsIdentifier {
                next = nodes.next()
            }
            guard let signerInfos = next, signerInfos.identifier == .set, case .constructed(let signers) = signerInfos.content else {
                throw ASN1Error.invalidASN1Object(reason: "SignedData without its signerInfos SET")
            }
            guard signers.first(where: { _ in true }) == nil else { throw PKIError.malformed("a SignedData with signers is not certs-only") }
            return signedData
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(version)
            try coder.serializeSetOf(digestAlgorithms)
            try coder.serialize(encapContentInfo)
            try coder.appendConstructedNode(identifier: Self.certificatesIdentifier) { coder in
                for certificate in certificates { try coder.serialize(certificate) }
            }
            try coder.serializeSetOf([AlgorithmIdentifier]())  // signerInfos: none
        }
    }
}
