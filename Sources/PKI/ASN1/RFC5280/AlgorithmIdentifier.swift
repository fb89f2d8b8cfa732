import SwiftASN1
import X509

/// An algorithm and its parameters (RFC 5280 §4.1.1.2):
/// ```
/// AlgorithmIdentifier ::= SEQUENCE {
///      algorithm               OBJECT IDENTIFIER,
///      parameters              ANY DEFINED BY algorithm OPTIONAL }
/// ```
/// swift-certificates has this type but keeps it internal. The parameters are kept as they were encoded, so an
/// OCSP CertID's hash algorithm is echoed with or without its NULL, as the request had it.
package struct AlgorithmIdentifier: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var algorithm: ASN1ObjectIdentifier
    package var parameters: ASN1Any?

    package init(algorithm: ASN1ObjectIdentifier, parameters: ASN1Any? = nil) {
        self.algorithm = algorithm
        self.parameters = parameters
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let algorithm = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let parameters = nodes.next().map { ASN1Any(derEncoded: $0) }
            return AlgorithmIdentifier(algorithm: algorithm, parameters: parameters)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(algorithm)
            if let parameters { try coder.serialize(parameters) }
        }
    }
}

extension AlgorithmIdentifier {
    /// The signature algorithms CRLs and OCSP responses are signed with here, and read back: ECDSA without
    /// parameters (RFC 5758 §3.2), RSA PKCS#1 v1.5 with a NULL (RFC 4055 §5), each in the one form DER allows.
    private static let signatureAlgorithms: [(algorithm: Certificate.SignatureAlgorithm, oid: ASN1ObjectIdentifier, null: Bool)] = [
        (.ecdsaWithSHA256, [1, 2, 840, 10045, 4, 3, 2], false),
        (.ecdsaWithSHA384, [1, 2, 840, 10045, 4, 3, 3], false),
        (.ecdsaWithSHA512, [1, 2, 840, 10045, 4, 3, 4], false),
        (.sha256WithRSAEncryption, [1, 2, 840, 113_549, 1, 1, 11], true),
        (.sha384WithRSAEncryption, [1, 2, 840, 113_549, 1, 1, 12], true),
        (.sha512WithRSAEncryption, [1, 2, 840, 113_549, 1, 1, 13], true),
    ]

    /// The identifier of a signature algorithm a key here signs with.
    init(_ signatureAlgorithm: Certificate.SignatureAlgorithm) throws {
        guard let known = Self.signatureAlgorithms.first(where: { $0.algorithm == signatureAlgorithm }) else {
            throw PKIError.unsupportedSignatureAlgorithm("\(signatureAlgorithm)")
        }
        self.init(algorithm: known.oid, parameters: known.null ? try ASN1Any(erasing: ASN1Null()) : nil)
    }

    /// The signature algorithm this identifies; one a CRL or OCSP response here is never signed with throws.
    func signatureAlgorithm() throws -> Certificate.SignatureAlgorithm {
        let null = try ASN1Any(erasing: ASN1Null())
        guard let known = Self.signatureAlgorithms.first(where: { $0.oid == algorithm && parameters == ($0.null ? null : nil) }) else {
            throw PKIError.malformed("signed with an unsupported algorithm \(algorithm)")
        }
        return known.algorithm
    }
}
