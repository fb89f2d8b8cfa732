import Crypto
import CryptoExtras

/// A private key in process memory, made with swift-crypto.
///
/// For tests and for the baselines benchmarks compare token signing with; a deployed gateway signs on a token.
public struct SoftwareSigner: Signer {
    private enum Backing: Sendable {
        case p256(P256.Signing.PrivateKey)
        case p384(P384.Signing.PrivateKey)
        case p521(P521.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)
    }

    private let backing: Backing
    public let publicKey: PublicKey

    /// A fresh random key of `algorithm`.
    public init(generating algorithm: KeyAlgorithm) throws {
        switch algorithm {
        case .ecdsa(.p256):
            let key = P256.Signing.PrivateKey()
            (backing, publicKey) = (.p256(key), PublicKey(key.publicKey))
        case .ecdsa(.p384):
            let key = P384.Signing.PrivateKey()
            (backing, publicKey) = (.p384(key), PublicKey(key.publicKey))
        case .ecdsa(.p521):
            let key = P521.Signing.PrivateKey()
            (backing, publicKey) = (.p521(key), PublicKey(key.publicKey))
        case .rsa(let bits):
            guard [2048, 3072, 4096].contains(bits) else { throw SigningError.unsupportedKeyAlgorithm(algorithm) }
            let key = try _RSA.Signing.PrivateKey(keySize: .init(bitCount: bits))
            (backing, publicKey) = (.rsa(key), PublicKey(key.publicKey))
        }
    }

    public func sign(_ message: [UInt8], scheme: SignatureScheme) async throws -> Signature {
        try signNow(message, scheme: scheme)
    }

    /// The synchronous path, for benchmarks that measure the signing itself and nothing around it.
    public func signNow(_ message: [UInt8], scheme: SignatureScheme) throws -> Signature {
        guard scheme.fits(publicKey.algorithm) else { throw SigningError.schemeDoesNotFitKey(scheme, publicKey.algorithm) }
        let digest = scheme.hash.hash(message)
        let bytes: [UInt8]
        switch backing {
        case .p256(let key): bytes = Array(try key.signature(for: digest).rawRepresentation)
        case .p384(let key): bytes = Array(try key.signature(for: digest).rawRepresentation)
        case .p521(let key): bytes = Array(try key.signature(for: digest).rawRepresentation)
        case .rsa(let key):
            let padding: _RSA.Signing.Padding = if case .rsaPSS = scheme { .PSS } else { .insecurePKCS1v1_5 }
            bytes = Array(try key.signature(for: digest, padding: padding).rawRepresentation)
        }
        return Signature(scheme: scheme, bytes: bytes)
    }
}
