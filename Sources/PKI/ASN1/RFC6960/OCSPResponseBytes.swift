import SwiftASN1

/// The typed body of a successful response (RFC 6960 §4.2.1):
/// ```
/// ResponseBytes ::=       SEQUENCE {
///     responseType   OBJECT IDENTIFIER,
///     response       OCTET STRING }
/// ```
/// The one type every responder sends is id-pkix-ocsp-basic.
package struct OCSPResponseBytes: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    /// id-pkix-ocsp-basic (RFC 6960 §4.2.1).
    package static let basic: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 1]

    package var responseType: ASN1ObjectIdentifier
    package var response: ASN1OctetString

    package init(responseType: ASN1ObjectIdentifier, response: ASN1OctetString) {
        self.responseType = responseType
        self.response = response
    }

    package init(_ basic: BasicOCSPResponse) throws {
        self.init(responseType: Self.basic, response: ASN1OctetString(contentBytes: try derBytes(basic)[...]))
    }

    /// The BasicOCSPResponse inside; another response type throws.
    package var basicResponse: BasicOCSPResponse {
        get throws {
            guard responseType == Self.basic else { throw PKIError.malformed("OCSP response type \(responseType) is not basic") }
            return try BasicOCSPResponse(derEncoded: try DER.parse(response.bytes))
        }
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            OCSPResponseBytes(responseType: try ASN1ObjectIdentifier(derEncoded: &nodes), response: try ASN1OctetString(derEncoded: &nodes))
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(responseType)
            try coder.serialize(response)
        }
    }
}
