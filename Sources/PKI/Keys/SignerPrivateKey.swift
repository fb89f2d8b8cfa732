import Crypto
import Foundation
import Signing
import SwiftASN1
import X509

/// Any `Signer` (a token key, a software key) as the private key swift-certificates signs certificates, CSRs
/// and CRLs with. Signing is always asynchronous: a token must not be waited for on the caller's thread.
public struct SignerPrivateKey: CustomPrivateKey {
    public let signer: any Signer
    public let publicKey: Certificate.PublicKey

    public init(_ signer: any Signer) throws {
        self.signer = signer
        self.publicKey = try Certificate.PublicKey(derEncoded: signer.publicKey.subjectPublicKeyInfo)
    }

    /// ECDSA with the curve's hash; RSA with PKCS#1 v1.5 and SHA-256, the RSA signature every X.509 verifier
    /// accepts (swift-certificates does not produce RSA-PSS certificate signatures).
    public var defaultSignatureAlgorithm: Certificate.SignatureAlgorithm {
        switch signer.algorithm {
        case .ecdsa(.p256): .ecdsaWithSHA256
        case .ecdsa(.p384): .ecdsaWithSHA384
        case .ecdsa(.p521): .ecdsaWithSHA512
        case .rsa: .sha256WithRSAEncryption
        }
    }

    public var supportedSignatureAlgorithms: [Certificate.SignatureAlgorithm] { [defaultSignatureAlgorithm] }

    public func signSynchronously(bytes: some DataProtocol, signatureAlgorithm: Certificate.SignatureAlgorithm) throws -> Certificate.Signature {
        throw PKIError.synchronousSigning
    }

    public func signAsynchronously(bytes: some DataProtocol, signatureAlgorithm: Certificate.SignatureAlgorithm) async throws -> Certificate.Signature {
        guard signatureAlgorithm == defaultSignatureAlgorithm else { throw PKIError.unsupportedSignatureAlgorithm("\(signatureAlgorithm)") }
        let signature = try await signer.sign(Array(bytes), scheme: scheme)
        return try Certificate.Signature(signatureAlgorithm: signatureAlgorithm, signatureBytes: ASN1BitString(bytes: try signature.derEncoded()[...]))
    }

    /// The scheme behind `defaultSignatureAlgorithm`.
    var scheme: SignatureScheme {
        switch signer.algorithm {
        case .ecdsa(let curve): .ecdsa(curve.matchingHash)
        case .rsa: .rsaPKCS1v15(.sha256)
        }
    }

    /// Signs `bytes` and returns the BIT STRING content X.509 structures carry (DER ECDSA-Sig-Value or RSA block).
    func signatureValue(over bytes: [UInt8]) async throws -> [UInt8] {
        try await signer.sign(bytes, scheme: scheme).derEncoded()
    }

    /// A token key has no PEM form: it never leaves the token.
    public static var defaultPEMDiscriminator: String { "PRIVATE KEY" }

    public func serializeAsPEM(discriminator: String) throws -> PEMDocument {
        throw PKIError.keyNotExportable
    }

    public func serialize(into coder: inout DER.Serializer) throws {
        throw PKIError.keyNotExportable
    }

    public static func == (lhs: SignerPrivateKey, rhs: SignerPrivateKey) -> Bool { lhs.publicKey == rhs.publicKey }
    public func hash(into hasher: inout Hasher) { hasher.combine(publicKey) }
}
