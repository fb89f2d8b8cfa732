import CPKCS11
import Signing
import Synchronization

/// A private key that lives on a token and signs there: the project's `Signer` for real deployments.
///
/// It remembers how to find itself (label and CKA_ID), not just a handle, because handles die with a token reset;
/// after one, the next signature looks the key up again and fails with "key not found" if it is gone.
public final class TokenKey: Signer {
    public let token: Token
    public let label: String
    public let id: [UInt8]
    public let publicKey: PublicKey
    /// A PIV card's signature key: the card wants the PIN again before every signature.
    public let alwaysAuthenticate: Bool
    private let cachedHandle: Mutex<(handle: CK_OBJECT_HANDLE, generation: Int)>

    /// The URI that names exactly this key.
    public var uri: PKCS11URI {
        var uri = token.uri
        uri.object = label.isEmpty ? nil : label
        uri.id = id
        uri.type = .privateKey
        uri.pinValue = nil
        return uri
    }

    init(token: Token, info: ObjectInfo, publicKey: PublicKey, handle: CK_OBJECT_HANDLE, generation: Int) {
        self.token = token
        self.label = info.label
        self.id = info.id
        self.publicKey = publicKey
        self.alwaysAuthenticate = info.alwaysAuthenticate ?? false
        self.cachedHandle = Mutex((handle, generation))
    }

    public func sign(_ message: [UInt8], scheme: SignatureScheme) async throws -> Signature {
        let plan = try signingPlan(for: scheme)
        let input = plan.input(message)
        let raw = try await token.perform(login: true) { session, generation throws(PKCS11Error) in
            let handle = try self.handle(in: session, generation: generation)
            return try session.sign(
                input, key: handle, mechanism: plan.mechanism, parameter: plan.parameter,
                contextPIN: self.alwaysAuthenticate ? try self.token.contextPIN() : nil
            )
        }
        return try plan.signature(from: raw, scheme: scheme, algorithm: publicKey.algorithm)
    }

    /// Finds this key again on the token as it is now, logged in from the PIN source, and refuses a different key
    /// under the same name (`keyReplaced`): what the gateway does when a card comes back, before it signs with it.
    public func checkPresent() async throws {
        try await token.reconnect()
        _ = try await token.perform(login: true) { session, generation throws(PKCS11Error) in
            try self.handle(in: session, generation: generation)
        }
    }

    /// Signs a digest the caller already computed with bare CKM_ECDSA / CKM_RSA_PKCS(_PSS): no host-side work at
    /// all, for benchmarks that compare the wrapper with a raw C_Sign loop.
    public func signDigest(_ digest: [UInt8], scheme: SignatureScheme) async throws -> [UInt8] {
        let plan = try SigningPlan.forDigest(scheme: scheme, algorithm: publicKey.algorithm)
        let input = plan.input(digest: digest)
        return try await token.perform(login: true) { session, generation throws(PKCS11Error) in
            try session.sign(input, key: try self.handle(in: session, generation: generation), mechanism: plan.mechanism, parameter: plan.parameter)
        }
    }

    /// The key's handle, found again by label and id if the token was recovered since it was cached.
    /// A key found under the same name but with another public key is refused: signatures from it would not
    /// match the certificate everyone holds for this key.
    func handle(in session: Session, generation: Int) throws(PKCS11Error) -> CK_OBJECT_HANDLE {
        let cached = cachedHandle.withLock { $0 }
        if cached.generation == generation { return cached.handle }
        let uri = self.uri
        let handle = try session.privateKey(matching: uri).handle
        guard try session.publicKey(matching: uri).0 == publicKey else { throw .keyReplaced(uri) }
        cachedHandle.withLock { $0 = (handle, generation) }
        return handle
    }

    private func signingPlan(for scheme: SignatureScheme) throws -> SigningPlan {
        let algorithm = publicKey.algorithm
        guard scheme.fits(algorithm) else { throw SigningError.schemeDoesNotFitKey(scheme, algorithm) }
        if let combined = SigningPlan.combined(scheme), token.supports(combined.mechanism) { return combined }
        let plan = try SigningPlan.forDigest(scheme: scheme, algorithm: algorithm)
        guard token.supports(plan.mechanism) else {
            throw PKCS11Error.schemeUnsupported(scheme, algorithm, token: token.label)
        }
        return plan
    }

    /// Raw C_SignInit/C_Sign on this key, on the calling thread, with nothing around it: the baseline the
    /// benchmark compares the wrapper with. Returns each call's latency. Only for benchmarks: it blocks.
    public func rawSignLoop(digest: [UInt8], duration: Duration) throws -> [Duration] {
        let plan = try SigningPlan.forDigest(scheme: publicKey.algorithm.defaultScheme, algorithm: publicKey.algorithm)
        let input = plan.input(digest: digest)
        let session = try Session.open(token.module, slot: token.currentSlot)
        defer { session.close() }
        let handle = cachedHandle.withLock { $0.handle }
        let clock = ContinuousClock()
        let end = clock.now + duration
        var latencies: [Duration] = []
        latencies.reserveCapacity(100_000)
        while clock.now < end {
            let start = clock.now
            _ = try session.sign(input, key: handle, mechanism: plan.mechanism, parameter: plan.parameter)
            latencies.append(clock.now - start)
        }
        return latencies
    }
}
