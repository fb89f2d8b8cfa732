import SwiftASN1
import X509

/// One certificate asked about (RFC 6960 §4.1.1):
/// ```
/// Request ::= SEQUENCE {
///     reqCert                     CertID,
///     singleRequestExtensions     [0] EXPLICIT Extensions OPTIONAL }
/// ```
/// The extensions are read (each well-formed, none repeated) and none is acted on.
package struct OCSPSingleRequest: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var certID: OCSPCertID
    package var singleRequestExtensions: Certificate.Extensions?

    package init(certID: OCSPCertID, singleRequestExtensions: Certificate.Extensions? = nil) {
        self.certID = certID
        self.singleRequestExtensions = singleRequestExtensions
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let certID = try OCSPCertID(derEncoded: &nodes)
            let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { try Certificate.Extensions(ocspDEREncoded: $0) }
            return OCSPSingleRequest(certID: certID, singleRequestExtensions: extensions)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(certID)
            if let singleRequestExtensions {
                try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                    try coder.serializeSequenceOf(singleRequestExtensions)
                }
            }
        }
    }
}

extension Certificate.Extensions {
    /// `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension` as OCSP carries them: at least one, none repeated
    /// (swift-certificates refuses a repeated OID).
    init(ocspDEREncoded node: ASN1Node) throws {
        let list = try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: node)
        guard !list.isEmpty else { throw PKIError.malformed("empty Extensions") }
        try self.init(list)
    }
}
