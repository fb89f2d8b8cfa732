import SwiftASN1

/// A signed OCSP answer (RFC 6960 §4.2.1):
/// ```
/// BasicOCSPResponse       ::= SEQUENCE {
///    tbsResponseData      ResponseData,
///    signatureAlgorithm   AlgorithmIdentifier,
///    signature            BIT STRING,
///    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
/// ```
/// swift-certificates has this type but keeps it internal. The responder here signs with the CA key itself, so it
/// sends no certificates; ones another responder sends are read past. As with `CertificateList`, the signed bytes
/// are kept as read.
package struct BasicOCSPResponse: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var responseData: OCSPResponseData
    package var responseDataBytes: ArraySlice<UInt8>
    package var signatureAlgorithm: AlgorithmIdentifier
    package var signature: ASN1BitString

    /// `responseData` signed by `key` with its default algorithm.
    package init(signing responseData: OCSPResponseData, with key: SignerPrivateKey) async throws {
        self.responseData = responseData
        responseDataBytes = try derBytes(responseData)[...]
        signatureAlgorithm = try AlgorithmIdentifier(key.defaultSignatureAlgorithm)
        signature = ASN1BitString(bytes: try await key.signatureValue(over: Array(responseDataBytes))[...])
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        (responseData, responseDataBytes, signatureAlgorithm, signature) = try DER.sequence(rootNode, identifier: identifier) { nodes in
            guard let dataNode = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "BasicOCSPResponse without ResponseData") }
            let parsed = (
                try OCSPResponseData(derEncoded: dataNode), dataNode.encodedBytes, try AlgorithmIdentifier(derEncoded: &nodes),
                try ASN1BitString(derEncoded: &nodes)
            )
            _ = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { $0 }
            return parsed
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            coder.serializeRawBytes(responseDataBytes)
            try coder.serialize(signatureAlgorithm)
            try coder.serialize(signature)
        }
    }
}
