import SwiftASN1

/// What a SignedData signs (RFC 5652 §5.2):
/// ```
/// EncapsulatedContentInfo ::= SEQUENCE {
///   eContentType ContentType,
///   eContent [0] EXPLICIT OCTET STRING OPTIONAL }
/// ```
/// A certs-only message carries id-data and no content (RFC 7030 §4.1.3 after RFC 5652 §5.2).
package struct EncapsulatedContentInfo: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var eContentType: ASN1ObjectIdentifier
    package var eContent: ASN1OctetString?

    package init(eContentType: ASN1ObjectIdentifier, eContent: ASN1OctetString? = nil) {
        self.eContentType = eContentType
        self.eContent = eContent
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            EncapsulatedContentInfo(
                eContentType: try ASN1ObjectIdentifier(derEncoded: &nodes),
                eContent: try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { try ASN1OctetString(derEncoded: $0) }
            )
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(eContentType)
            if let eContent { try coder.serialize(eContent, explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) }
        }
    }
}
