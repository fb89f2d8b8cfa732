import SwiftASN1
import X509

/// What an OCSP responder signs (RFC 6960 §4.2.1):
/// ```
/// ResponseData ::= SEQUENCE {
///    version              [0] EXPLICIT Version DEFAULT v1,
///    responderID              ResponderID,
///    producedAt               GeneralizedTime,
///    responses                SEQUENCE OF SingleResponse,
///    responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
/// ```
/// The only extension this responder sends is the request's nonce, echoed (RFC 6960 §4.4.1).
package struct OCSPResponseData: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var responderID: OCSPResponderID
    package var producedAt: GeneralizedTime
    package var responses: [OCSPSingleResponse]
    package var responseExtensions: Certificate.Extensions?

    package init(
        responderID: OCSPResponderID, producedAt: GeneralizedTime, responses: [OCSPSingleResponse], responseExtensions: Certificate.Extensions?
    ) {
        self.responderID = responderID
        self.producedAt = producedAt
        self.responses = responses
        self.responseExtensions = responseExtensions
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let version = try DER.decodeDefaultExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific, defaultValue: 0) { try Int(derEncoded: $0) }
            guard version == 0 else { throw PKIError.malformed("unknown OCSP version \(version)") }
            let responderID = try OCSPResponderID(derEncoded: &nodes)
            let producedAt = try GeneralizedTime(derEncoded: &nodes)
            let responses = try DER.sequence(of: OCSPSingleResponse.self, identifier: .sequence, nodes: &nodes)
            let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { try Certificate.Extensions(ocspDEREncoded: $0) }
            return OCSPResponseData(responderID: responderID, producedAt: producedAt, responses: responses, responseExtensions: extensions)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(responderID)
            try coder.serialize(producedAt)
            try coder.serializeSequenceOf(responses)
            if let responseExtensions {
                try coder.serialize(explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific) { coder in
                    try coder.serializeSequenceOf(responseExtensions)
                }
            }
        }
    }
}
