import SwiftASN1

/// The outer wrapper of every CMS message (RFC 5652 §3):
/// ```
/// ContentInfo ::= SEQUENCE {
///   contentType ContentType,
///   content [0] EXPLICIT ANY DEFINED BY contentType }
///
/// ContentType ::= OBJECT IDENTIFIER
/// ```
/// swift-certificates has this type as its internal `CMSContentInfo`.
package struct ContentInfo: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    /// id-signedData (RFC 5652 §5.1).
    package static let signedData: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 2]
    /// id-data (RFC 5652 §4).
    package static let data: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 1]

    package var contentType: ASN1ObjectIdentifier
    package var content: ASN1Any

    package init(contentType: ASN1ObjectIdentifier, content: ASN1Any) {
        self.contentType = contentType
        self.content = content
    }

    /// A ContentInfo around `signedData`.
    package init(_ signedData: SignedData) throws {
        self.init(contentType: Self.signedData, content: try ASN1Any(erasing: signedData))
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let contentType = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let content = try DER.explicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { ASN1Any(derEncoded: $0) }
            return ContentInfo(contentType: contentType, content: content)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(contentType)
            try coder.serialize(content, explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
        }
    }

    /// The SignedData this carries; another content type throws.
    package var signedData: SignedData {
        get throws {
            guard contentType == Self.signedData else { throw PKIError.malformed("a CMS \(contentType), not SignedData") }
            return try SignedData(asn1Any: content)
        }
    }
}
