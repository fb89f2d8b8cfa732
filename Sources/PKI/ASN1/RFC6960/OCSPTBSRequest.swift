import SwiftASN1
import X509

/// What an OCSP client asks (RFC 6960 §4.1.1):
/// ```
/// TBSRequest ::= SEQUENCE {
///     version             [0] EXPLICIT Version DEFAULT v1,
///     requestorName       [1] EXPLICIT GeneralName OPTIONAL,
///     requestList             SEQUENCE OF Request,
///     requestExtensions   [2] EXPLICIT Extensions OPTIONAL }
/// ```
/// Only v1 exists; another version is refused.
package struct OCSPTBSRequest: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var requestorName: GeneralName?
    package var requestList: [OCSPSingleRequest]
    package var requestExtensions: Certificate.Extensions?

    package init(requestorName: GeneralName? = nil, requestList: [OCSPSingleRequest], requestExtensions: Certificate.Extensions? = nil) {
        self.requestorName = requestorName
        self.requestList = requestList
        self.requestExtensions = requestExtensions
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let version = try DER.decodeDefaultExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific, defaultValue: 0) { try Int(derEncoded: $0) }
            guard version == 0 else { throw PKIError.malformed("unknown OCSP version \(version)") }
            let requestor = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { try GeneralName(derEncoded: $0) }
            let list = try DER.sequence(of: OCSPSingleRequest.self, identifier: .sequence, nodes: &nodes)
            let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 2, tagClass: .contextSpecific) { try Certificate.Extensions(ocspDEREncoded: $0) }
            return OCSPTBSRequest(requestorName: requestor, requestList: list, requestExtensions: extensions)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            if let requestorName { try coder.serialize(requestorName, explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific) }
            try coder.serializeSequenceOf(requestList)
            if let requestExtensions {
                try coder.serialize(explicitlyTaggedWithTagNumber: 2, tagClass: .contextSpecific) { coder in
                    try coder.serializeSequenceOf(requestExtensions)
                }
            }
        }
    }
}
