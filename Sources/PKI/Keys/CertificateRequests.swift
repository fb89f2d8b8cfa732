import Signing
import X509

/// Certificate signing requests made with a `Signer`: the request is signed by the key itself (on its token),
/// which is the proof of possession the RA checks.
public enum CertificateRequests {
    public static func make(signer: any Signer, subject: DistinguishedName) async throws -> CertificateSigningRequest {
        let key = try SignerPrivateKey(signer)
        return try await CertificateSigningRequest(
            version: .v1, subject: subject, asyncPrivateKey: Certificate.PrivateKey(key),
            attributes: CertificateSigningRequest.Attributes(), signatureAlgorithm: key.defaultSignatureAlgorithm
        )
    }
}
