/// Something that holds a private key and signs with it: a key on a PKCS#11 token, a software key in tests,
/// or a deliberately slow stand-in for a smart card in benchmarks.
///
/// Record, PKI and codec code depend on this protocol only, so they never import `PKCS11` and run the same
/// with every kind of key. Signing is `async` because a token or card answers slowly and must never be waited
/// for on an event loop.
public protocol Signer: Sendable {
    var publicKey: PublicKey { get }

    /// Signs `message`; hashing it as the scheme says is the signer's job, so a token that hashes on the card
    /// and one that needs a host-side hash look the same to callers.
    func sign(_ message: [UInt8], scheme: SignatureScheme) async throws -> Signature
}

extension Signer {
    public var algorithm: KeyAlgorithm { publicKey.algorithm }

    /// Signs with the key's default scheme (ECDSA with the curve's hash, RSA-PSS with SHA-256).
    public func sign(_ message: [UInt8]) async throws -> Signature {
        try await sign(message, scheme: algorithm.defaultScheme)
    }
}
