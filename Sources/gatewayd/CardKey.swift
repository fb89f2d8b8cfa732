import Gateway
import PKCS11
import PKI
import Signing
import Synchronization
import X509

/// One of the gateway's keys on a card that may be out of its reader: gatewayd can start with the reader empty and
/// opens the key when the card arrives. Its public key is the certificate's (a file), so the record signer and the
/// TLS configuration are made at start; the token gate keeps the signing stage and the uplink from using it while
/// the card is out, and a signature asked for then fails as a pulled card's does.
final class CardKey: Signer {
    let uri: String
    let module: String?
    let publicKey: PublicKey
    private let opened: Mutex<TokenKey?>

    /// A key found on the card at start.
    init(_ key: TokenKey, uri: String, module: String?) {
        self.uri = uri
        self.module = module
        publicKey = key.publicKey
        opened = Mutex(key)
    }

    /// A key whose card is not in the reader yet: `certificate` says which key it must be.
    init(waitingFor uri: String, module: String?, certificate: Certificate) throws {
        self.uri = uri
        self.module = module
        publicKey = try PublicKey(subjectPublicKeyInfo: try derBytes(certificate.publicKey))
        opened = Mutex(nil)
    }

    /// The key on the token, once the card was there.
    var key: TokenKey? { opened.withLock { $0 } }

    /// The card now in the reader: logs in from the PIN source and finds this key on it, the certified key and no
    /// other (a card that holds another key under this name is not the gateway's card).
    func admit() async throws {
        if let key {
            do {
                try await key.checkPresent()
            } catch PKCS11Error.keyReplaced(let uri) {
                throw CardRefusal(differentCard: "its key \(uri) is not the enrolled one")
            }
            return
        }
        let found = try await TokenKey.open(uri, module: module, maxSessions: 1)
        guard found.publicKey == publicKey else {
            await found.token.release()
            throw CardRefusal(differentCard: "its key \(found.uri) is not the enrolled one")
        }
        try await found.checkPresent()
        opened.withLock { $0 = found }
    }

    func sign(_ message: [UInt8], scheme: SignatureScheme) async throws -> Signature {
        guard let key else { throw PKCS11Error.tokenRemoved("the card is not in its reader yet") }
        return try await key.sign(message, scheme: scheme)
    }

    /// Runs `body` on the token's own thread once the key is open; before, there is no token to wait for.
    func withTokenThread<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        guard let key else { return try await body() }
        return try await key.token.withTokenThread(body)
    }

    /// Where a renewed certificate for this key goes when no file names it: the token, which was there at start
    /// (without a file the certificate came from it).
    var certificatePlace: RenewedCertificateKeeper.Place {
        .token(name: key.map { "token \"\($0.token.label)\"" } ?? "the card") { [self] der in
            guard let opened = key else { throw PKCS11Error.tokenRemoved("the card is not in its reader") }
            _ = try await opened.token.importCertificate(der, for: opened.uri)
        }
    }
}
