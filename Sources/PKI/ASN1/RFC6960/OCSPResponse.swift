import SwiftASN1

/// What an OCSP responder sends back (RFC 6960 §4.2.1):
/// ```
/// OCSPResponse ::= SEQUENCE {
///    responseStatus         OCSPResponseStatus,
///    responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
/// ```
/// swift-certificates has this type but keeps it internal. Every status but `successful` goes without bytes.
package struct OCSPResponse: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var responseStatus: OCSPResponseStatus
    package var responseBytes: OCSPResponseBytes?

    package init(responseStatus: OCSPResponseStatus, responseBytes: OCSPResponseBytes? = nil) {
        self.responseStatus = responseStatus
        self.responseBytes = responseBytes
    }

    /// A successful response carrying `basic`.
    package init(_ basic: BasicOCSPResponse) throws {
        self.init(responseStatus: .successful, responseBytes: try OCSPResponseBytes(basic))
    }

    /// The DER of a response that is only `status`: it cannot fail to encode, so a responder that failed for
    /// any other reason still has this answer.
    package static func unsuccessful(_ status: OCSPResponseStatus) -> [UInt8] {
        var coder = DER.Serializer()
        coder.appendConstructedNode(identifier: defaultIdentifier) { coder in
            status.serialize(into: &coder, withIdentifier: OCSPResponseStatus.defaultIdentifier)
        }
        return coder.serializedBytes
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let status = try OCSPResponseStatus(derEncoded: &nodes)
            let bytes = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { try OCSPResponseBytes(derEncoded: $0) }
            return OCSPResponse(responseStatus: status, responseBytes: bytes)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            responseStatus.serialize(into: &coder, withIdentifier: OCSPResponseStatus.defaultIdentifier)
            if let responseBytes { try coder.serialize(responseBytes, explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) }
        }
    }
}
