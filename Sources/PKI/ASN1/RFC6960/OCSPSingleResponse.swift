import SwiftASN1
import X509

/// The answer for one CertID (RFC 6960 §4.2.1):
/// ```
/// SingleResponse ::= SEQUENCE {
///    certID                       CertID,
///    certStatus                   CertStatus,
///    thisUpdate                   GeneralizedTime,
///    nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
///    singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
/// ```
package struct OCSPSingleResponse: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var certID: OCSPCertID
    package var certStatus: OCSPCertStatus
    package var thisUpdate: GeneralizedTime
    package var nextUpdate: GeneralizedTime?
    package var singleExtensions: Certificate.Extensions?

    package init(
        certID: OCSPCertID, certStatus: OCSPCertStatus, thisUpdate: GeneralizedTime, nextUpdate: GeneralizedTime?,
        singleExtensions: Certificate.Extensions? = nil
    ) {
        self.certID = certID
        self.certStatus = certStatus
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.singleExtensions = singleExtensions
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let certID = try OCSPCertID(derEncoded: &nodes)
            let status = try OCSPCertStatus(derEncoded: &nodes)
            let thisUpdate = try GeneralizedTime(derEncoded: &nodes)
            let nextUpdate = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { try GeneralizedTime(derEncoded: $0) }
            let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { try Certificate.Extensions(ocspDEREncoded: $0) }
            return OCSPSingleResponse(certID: certID, certStatus: status, thisUpdate: thisUpdate, nextUpdate: nextUpdate, singleExtensions: extensions)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(certID)
            try coder.serialize(certStatus)
            try coder.serialize(thisUpdate)
            if let nextUpdate { try coder.serialize(nextUpdate, explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) }
            if let singleExtensions {
                try coder.serialize(explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific) { coder in
                    try coder.serializeSequenceOf(singleExtensions)
                }
            }
        }
    }
}
