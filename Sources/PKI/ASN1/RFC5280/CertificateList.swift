import SwiftASN1
import X509

/// A CRL (RFC 5280 §5.1):
/// ```
/// CertificateList  ::=  SEQUENCE  {
///      tbsCertList          TBSCertList,
///      signatureAlgorithm   AlgorithmIdentifier,
///      signatureValue       BIT STRING  }
/// ```
/// The signed bytes are kept as they were read (as swift-certificates' `Certificate` keeps its
/// `tbsCertificateBytes`): the signature is checked over what the issuer signed, not over a re-encoding.
package struct CertificateList: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var tbsCertList: TBSCertList
    package var tbsCertListBytes: ArraySlice<UInt8>
    package var signatureAlgorithm: AlgorithmIdentifier
    package var signature: ASN1BitString

    /// `tbsCertList` signed by `key` with its default algorithm, which `tbsCertList.signature` must name.
    package init(signing tbsCertList: TBSCertList, with key: SignerPrivateKey) async throws {
        self.tbsCertList = tbsCertList
        tbsCertListBytes = try derBytes(tbsCertList)[...]
        signatureAlgorithm = tbsCertList.signature
        signature = ASN1BitString(bytes: try await key.signatureValue(over: Array(tbsCertListBytes))[...])
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        (tbsCertList, tbsCertListBytes, signatureAlgorithm, signature) = try DER.sequence(rootNode, identifier: identifier) { nodes in
            guard let tbsNode = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "CRL without TBSCertList") }
            return (try TBSCertList(derEncoded: tbsNode), tbsNode.encodedBytes, try AlgorithmIdentifier(derEncoded: &nodes), try ASN1BitString(derEncoded: &nodes))
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            coder.serializeRawBytes(tbsCertListBytes)
            try coder.serialize(signatureAlgorithm)
            try coder.serialize(signature)
        }
    }
}
