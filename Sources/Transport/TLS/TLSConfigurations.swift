import NIOSSL
import Signing
import SwiftASN1
import X509

/// TLS settings the project's endpoints share: TLS 1.2 and 1.3, certificates from swift-certificates, the private
/// key on a token, and peers verified against the project's own CA only.
///
/// In TLS 1.2 only ECDHE key exchange with AEAD ciphers is offered (`tls12CipherSuites`): NIOSSL's default list
/// still has CBC suites and RSA key transport, which give no forward secrecy and invite padding-oracle attacks.
/// TLS 1.3's suites are all AEAD with ephemeral keys and cannot be configured anyway.
public enum TLSConfigurations {
    /// ECDHE with AES-GCM or ChaCha20-Poly1305, for ECDSA and RSA certificates; strongest first.
    public static let tls12CipherSuites: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    ]

    /// A server: `chain` is its certificate first, then its issuers; `clientCA` set means client certificates are
    /// requested (and checked against it) but not required, so one listener serves first enrollment and
    /// re-enrollment alike.
    public static func server(chain: [Certificate], key: any Signer, clientCA: [Certificate]? = nil) throws -> TLSConfiguration {
        var configuration = try baseServer(chain: chain, key: key)
        if let clientCA {
            configuration.certificateVerification = .optionalVerification
            configuration.trustRoots = .certificates(try clientCA.map(nioCertificate))
            configuration.sendCANameList = true
        }
        return configuration
    }

    /// A server that refuses, in the handshake, every client without a certificate chaining to `clientCA`: the
    /// head-end's listener, where a gateway is known by its certificate before it sends a byte of data. Which
    /// gateway it is, and whether its certificate is revoked, the application decides from the peer certificate.
    public static func serverRequiringClientCertificate(chain: [Certificate], key: any Signer, clientCA: [Certificate]) throws -> TLSConfiguration {
        var configuration = try baseServer(chain: chain, key: key)
        configuration.certificateVerification = .noHostnameVerification
        configuration.trustRoots = .certificates(try clientCA.map(nioCertificate))
        configuration.sendCANameList = true
        return configuration
    }

    /// A client that trusts only `trustRoots`, optionally presenting a certificate whose key is `key`.
    public static func client(trustRoots: [Certificate], chain: [Certificate] = [], key: (any Signer)? = nil) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.cipherSuiteValues = tls12CipherSuites
        configuration.trustRoots = .certificates(try trustRoots.map(nioCertificate))
        if let key, !chain.isEmpty {
            configuration.certificateChain = try chain.map { .certificate(try nioCertificate($0)) }
            configuration.privateKey = .privateKey(NIOSSLPrivateKey(customPrivateKey: SignerTLSKey(key)))
        }
        return configuration
    }

    public static func nioCertificate(_ certificate: Certificate) throws -> NIOSSLCertificate {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return try NIOSSLCertificate(bytes: serializer.serializedBytes, format: .der)
    }

    private static func baseServer(chain: [Certificate], key: any Signer) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try chain.map { .certificate(try nioCertificate($0)) },
            privateKey: .privateKey(NIOSSLPrivateKey(customPrivateKey: SignerTLSKey(key)))
        )
        configuration.minimumTLSVersion = .tlsv12
        configuration.cipherSuiteValues = tls12CipherSuites
        return configuration
    }
}
