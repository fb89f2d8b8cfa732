import NIOSSL
import Signing
import SwiftASN1
import X509

/// TLS settings the project's endpoints share: TLS 1.2 and 1.3, certificates from swift-certificates, the private
/// key on a token, and peers verified against the project's own CA only.
public enum TLSConfigurations {
    /// A server: `chain` is its certificate first, then its issuers; `clientCA` set means client certificates are
    /// requested (and checked against it) but not required, so one listener serves first enrollment and
    /// re-enrollment alike.
    public static func server(chain: [Certificate], key: any Signer, clientCA: [Certificate]? = nil) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try chain.map { .certificate(try nioCertificate($0)) },
            privateKey: .privateKey(NIOSSLPrivateKey(customPrivateKey: SignerTLSKey(key)))
        )
        configuration.minimumTLSVersion = .tlsv12
        if let clientCA {
            configuration.certificateVerification = .optionalVerification
            configuration.trustRoots = .certificates(try clientCA.map(nioCertificate))
            configuration.sendCANameList = true
        }
        return configuration
    }

    /// A client that trusts only `trustRoots`, optionally presenting a certificate whose key is `key`.
    public static func client(trustRoots: [Certificate], chain: [Certificate] = [], key: (any Signer)? = nil) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
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
}
