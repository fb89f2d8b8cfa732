import SwiftASN1

/// When and why a certificate was revoked (RFC 6960 §4.2.1):
/// ```
/// RevokedInfo ::= SEQUENCE {
///     revocationTime              GeneralizedTime,
///     revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
/// ```
/// As in the CRL, the reason is left out rather than given as unspecified (RFC 5280 §5.3.1).
package struct OCSPRevokedInfo: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var revocationTime: GeneralizedTime
    package var revocationReason: CRLReason?

    package init(revocationTime: GeneralizedTime, revocationReason: CRLReason?) {
        self.revocationTime = revocationTime
        self.revocationReason = revocationReason
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let time = try GeneralizedTime(derEncoded: &nodes)
            let reason = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { try CRLReason(derEncoded: $0) }
            return OCSPRevokedInfo(revocationTime: time, revocationReason: reason)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(revocationTime)
            if let revocationReason { try coder.serialize(revocationReason, explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) }
        }
    }
}
