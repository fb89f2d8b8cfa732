import SwiftASN1

/// Which certificate a request asks about and a response answers for (RFC 6960 §4.1.1):
/// ```
/// CertID ::= SEQUENCE {
///     hashAlgorithm       AlgorithmIdentifier,
///     issuerNameHash      OCTET STRING, -- Hash of issuer's DN
///     issuerKeyHash       OCTET STRING, -- Hash of issuer's public key
///     serialNumber        CertificateSerialNumber }
/// ```
/// swift-certificates has this type but keeps it internal. A response echoes the request's CertID; every field is
/// kept as it was read, so the echo is the request's bytes. The hash algorithm's parameters, when present, must be
/// the NULL some clients write.
package struct OCSPCertID: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var hashAlgorithm: AlgorithmIdentifier
    package var issuerNameHash: ASN1OctetString
    package var issuerKeyHash: ASN1OctetString
    package var serialNumber: CertificateSerialNumber

    package init(
        hashAlgorithm: AlgorithmIdentifier, issuerNameHash: ASN1OctetString, issuerKeyHash: ASN1OctetString, serialNumber: CertificateSerialNumber
    ) {
        self.hashAlgorithm = hashAlgorithm
        self.issuerNameHash = issuerNameHash
        self.issuerKeyHash = issuerKeyHash
        self.serialNumber = serialNumber
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let hashAlgorithm = try AlgorithmIdentifier(derEncoded: &nodes)
            if let parameters = hashAlgorithm.parameters { _ = try ASN1Null(asn1Any: parameters) }
            return OCSPCertID(
                hashAlgorithm: hashAlgorithm, issuerNameHash: try ASN1OctetString(derEncoded: &nodes),
                issuerKeyHash: try ASN1OctetString(derEncoded: &nodes), serialNumber: try CertificateSerialNumber(derEncoded: &nodes)
            )
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(hashAlgorithm)
            try coder.serialize(issuerNameHash)
            try coder.serialize(issuerKeyHash)
            try coder.serialize(serialNumber)
        }
    }
}
