import SwiftASN1
import X509

/// Who signed a response (RFC 6960 §4.2.1):
/// ```
/// ResponderID ::= CHOICE {
///    byName   [1] Name,
///    byKey    [2] KeyHash }
///
/// KeyHash ::= OCTET STRING -- SHA-1 hash of responder's public key
///                          -- (excluding the tag and length fields)
/// ```
/// Both are EXPLICIT: the module's tags are explicit by default. This responder names itself by key.
package enum OCSPResponderID: DERParseable, DERSerializable, Hashable, Sendable {
    case byName(DistinguishedName)
    case byKey(ASN1OctetString)

    private static let byNameIdentifier = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)
    private static let byKeyIdentifier = ASN1Identifier(tagWithNumber: 2, tagClass: .contextSpecific)

    package init(derEncoded node: ASN1Node) throws {
        switch node.identifier {
        case Self.byNameIdentifier:
            self = .byName(try DER.explicitlyTagged(node, tagNumber: 1, tagClass: .contextSpecific) { try DistinguishedName(derEncoded: $0) })
        case Self.byKeyIdentifier:
            self = .byKey(try DER.explicitlyTagged(node, tagNumber: 2, tagClass: .contextSpecific) { try ASN1OctetString(derEncoded: $0) })
        default:
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
    }

    package func serialize(into coder: inout DER.Serializer) throws {
        switch self {
        case .byName(let name): try coder.serialize(name, explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific)
        case .byKey(let hash): try coder.serialize(hash, explicitlyTaggedWithTagNumber: 2, tagClass: .contextSpecific)
        }
    }
}
