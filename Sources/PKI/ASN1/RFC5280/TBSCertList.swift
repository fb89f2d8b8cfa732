import SwiftASN1
import X509

/// What a CRL's issuer signs (RFC 5280 §5.1.2):
/// ```
/// TBSCertList  ::=  SEQUENCE  {
///      version                 Version OPTIONAL,
///                                   -- if present, MUST be v2
///      signature               AlgorithmIdentifier,
///      issuer                  Name,
///      thisUpdate              Time,
///      nextUpdate              Time OPTIONAL,
///      revokedCertificates     SEQUENCE OF RevokedCertificate OPTIONAL,
///      crlExtensions           [0]  EXPLICIT Extensions OPTIONAL }
/// ```
/// The list of entries is left out when it would be empty: DER has no empty SEQUENCE OF here, and openssl reads
/// an empty one as malformed.
package struct TBSCertList: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    /// 1 for v2, the version a CRL with extensions must have; nil for v1.
    package var version: Int?
    package var signature: AlgorithmIdentifier
    package var issuer: DistinguishedName
    package var thisUpdate: X509Time
    package var nextUpdate: X509Time?
    package var revokedCertificates: [RevokedCertificate]
    package var crlExtensions: Certificate.Extensions?

    package init(
        version: Int? = 1, signature: AlgorithmIdentifier, issuer: DistinguishedName, thisUpdate: X509Time, nextUpdate: X509Time?,
        revokedCertificates: [RevokedCertificate], crlExtensions: Certificate.Extensions?
    ) {
        self.version = version
        self.signature = signature
        self.issuer = issuer
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.revokedCertificates = revokedCertificates
        self.crlExtensions = crlExtensions
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            var lookahead = nodes
            var version: Int?
            if lookahead.next()?.identifier == .integer {
                version = try Int(derEncoded: &nodes)
                guard version == 1 else { throw PKIError.malformed("CRL version \(version ?? 0) is not v2") }
            }
            let signature = try AlgorithmIdentifier(derEncoded: &nodes)
            let issuer = try DistinguishedName(derEncoded: &nodes)
            let thisUpdate = try X509Time(derEncoded: &nodes)
            var next = nodes.next()
            var nextUpdate: X509Time?
            if let node = next, node.identifier == .utcTime || node.identifier == .generalizedTime {
                nextUpdate = try X509Time(derEncoded: node)
                next = nodes.next()
            }
            var revoked: [RevokedCertificate] = []
            if let node = next, node.identifier == .sequence {
                revoked = try DER.sequence(of: RevokedCertificate.self, identifier: .sequence, rootNode: node)
                next = nodes.next()
            }
            var extensions: Certificate.Extensions?
            if let node = next {
                extensions = try DER.explicitlyTagged(node, tagNumber: 0, tagClass: .contextSpecific) { node in
                    try Certificate.Extensions(DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: node))
                }
            }
            return TBSCertList(
                version: version, signature: signature, issuer: issuer, thisUpdate: thisUpdate, nextUpdate: nextUpdate,
                revokedCertificates: revoked, crlExtensions: extensions
            )
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            if let version { try coder.serialize(version) }
            try coder.serialize(signature)
            try coder.serialize(issuer)
            try coder.serialize(thisUpdate)
            if let nextUpdate { try coder.serialize(nextUpdate) }
            if !revokedCertificates.isEmpty { try coder.serializeSequenceOf(revokedCertificates) }
            if let crlExtensions {
                try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                    try coder.serializeSequenceOf(crlExtensions)
                }
            }
        }
    }
}
