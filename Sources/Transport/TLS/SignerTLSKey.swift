import NIOCore
import NIOSSL
import Signing

/// A `Signer` (in practice a key on a token) as the private key of a TLS endpoint. BoringSSL hands the handshake's
/// signature to `sign`, on the event loop; the token is called off it, and the future completes when it answers.
public struct SignerTLSKey: NIOSSLCustomPrivateKey, Hashable {
    public let signer: any Signer

    public init(_ signer: any Signer) {
        self.signer = signer
    }

    public var signatureAlgorithms: [SignatureAlgorithm] {
        switch signer.algorithm {
        case .ecdsa(.p256): [.ecdsaSecp256R1Sha256]
        case .ecdsa(.p384): [.ecdsaSecp384R1Sha384]
        case .ecdsa(.p521): [.ecdsaSecp521R1Sha512]
        // TLS 1.3 accepts only PSS for RSA keys; PKCS#1 v1.5 stays for TLS 1.2 peers.
        case .rsa: [.rsaPssRsaeSha256, .rsaPssRsaeSha384, .rsaPssRsaeSha512, .rsaPkcs1Sha256, .rsaPkcs1Sha384]
        }
    }

    public func sign(channel: Channel, algorithm: SignatureAlgorithm, data: ByteBuffer) -> EventLoopFuture<ByteBuffer> {
        let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
        let message = Array(data.readableBytesView)
        let signer = self.signer
        let allocator = channel.allocator
        promise.completeWithTask {
            let scheme = try Self.scheme(for: algorithm)
            let signature = try await signer.sign(message, scheme: scheme)
            return allocator.buffer(bytes: try signature.derEncoded())
        }
        return promise.futureResult
    }

    public func decrypt(channel: Channel, data: ByteBuffer) -> EventLoopFuture<ByteBuffer> {
        channel.eventLoop.makeFailedFuture(SigningError.unsupportedPublicKey("RSA key exchange is not offered; use ECDHE"))
    }

    static func scheme(for algorithm: SignatureAlgorithm) throws -> SignatureScheme {
        switch algorithm {
        case .ecdsaSecp256R1Sha256: .ecdsa(.sha256)
        case .ecdsaSecp384R1Sha384: .ecdsa(.sha384)
        case .ecdsaSecp521R1Sha512: .ecdsa(.sha512)
        case .rsaPssRsaeSha256: .rsaPSS(.sha256)
        case .rsaPssRsaeSha384: .rsaPSS(.sha384)
        case .rsaPssRsaeSha512: .rsaPSS(.sha512)
        case .rsaPkcs1Sha256: .rsaPKCS1v15(.sha256)
        case .rsaPkcs1Sha384: .rsaPKCS1v15(.sha384)
        default: throw SigningError.malformedSignature("TLS asked for an unsupported signature algorithm")
        }
    }

    public static func == (lhs: SignerTLSKey, rhs: SignerTLSKey) -> Bool { lhs.signer.publicKey == rhs.signer.publicKey }
    public func hash(into hasher: inout Hasher) { hasher.combine(signer.publicKey) }
}
