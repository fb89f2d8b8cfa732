import COSEM
import Foundation
import Metering
import NIOSSL
import PKI
import Signing
import Synchronization
import Transport
import X509

/// The gateway's two keys on the token and their current certificates: the signing key with its record signer,
/// and the TLS client key with the configuration the uplink connects with. Renewal swaps a certificate here while
/// the stream goes on: the next record is signed, and the next connection made, with the new one.
public final class GatewayCredentials: Sendable {
    public struct Current: Sendable {
        public var recordSigner: RecordSigner
        public var tlsKey: any Signer
        public var tlsCertificate: Certificate
        public var tls: TLSConfiguration
    }

    public let trustAnchors: [Certificate]
    private let current: Mutex<Current>

    public init(recordSigner: RecordSigner, tlsKey: any Signer, tlsCertificate: Certificate, trustAnchors: [Certificate]) throws {
        self.trustAnchors = trustAnchors
        let tls = try Self.configuration(key: tlsKey, certificate: tlsCertificate, trustAnchors: trustAnchors)
        current = Mutex(Current(recordSigner: recordSigner, tlsKey: tlsKey, tlsCertificate: tlsCertificate, tls: tls))
    }

    public var recordSigner: RecordSigner { current.withLock { $0.recordSigner } }
    public var tls: TLSConfiguration { current.withLock { $0.tls } }
    public var signingCertificate: Certificate { current.withLock { $0.recordSigner.certificate } }
    public var tlsCertificate: Certificate { current.withLock { $0.tlsCertificate } }
    public var signingKey: any Signer { current.withLock { $0.recordSigner.signer } }
    public var tlsKey: any Signer { current.withLock { $0.tlsKey } }

    /// A renewed signing certificate: checked like the first one (same key, same system title, signing profile).
    public func replaceSigningCertificate(_ certificate: Certificate) throws {
        let old = recordSigner
        let signer = try RecordSigner(signer: old.signer, certificate: certificate, originator: old.originator,
                                      recipient: old.recipient, convention: old.convention)
        current.withLock { $0.recordSigner = signer }
    }

    /// A renewed TLS certificate, for the next connection.
    public func replaceTLSCertificate(_ certificate: Certificate) throws {
        let key = tlsKey
        let tls = try Self.configuration(key: key, certificate: certificate, trustAnchors: trustAnchors)
        current.withLock {
            $0.tlsCertificate = certificate
            $0.tls = tls
        }
    }

    private static func configuration(key: any Signer, certificate: Certificate, trustAnchors: [Certificate]) throws -> TLSConfiguration {
        // The chain check is BoringSSL's; the name (the head-end's system title is its CN) and revocation are the
        // uplink's, after the handshake.
        var tls = try TLSConfigurations.client(trustRoots: trustAnchors, chain: [certificate], key: key)
        tls.certificateVerification = .noHostnameVerification
        return tls
    }
}
