import Foundation
import Logging
import Metrics
import PKI
import ServiceLifecycle
import Transport
import X509

/// Keeps the gateway's two certificates current: when `rule` says a certificate is due (at `renewAt` of its lifetime,
/// 70 % by default, the rule `gatewayctl enroll renew` follows too) it re-enrolls through EST with the current certificate and the same key on the
/// token, stores the new certificate (`store`, the executable's: onto the token) and swaps it into the credentials.
/// The stream goes on meanwhile: frames already signed keep their certificate (the head-end finds it by serial),
/// the next ones carry the new one, and the uplink presents the new TLS certificate at its next connection.
public struct CertificateRenewal: Service {
    public enum Role: String, Sendable { case signing, tls }

    public let est: ESTClient
    public let credentials: GatewayCredentials
    public let renewAt: Double
    public var rule: RenewalRule { RenewalRule(share: renewAt) }
    /// How often the ages are looked at; a failed renewal is tried again at the next look.
    public let checkInterval: Duration
    let store: @Sendable (Certificate, Role) async throws -> Void
    let status: StatusBoard
    let logger: Logger
    private let renewals = Counter(label: "gateway_certificate_renewals_total")

    public init(est: ESTClient, credentials: GatewayCredentials, renewAt: Double, checkInterval: Duration = .seconds(60),
                status: StatusBoard, logger: Logger, store: @escaping @Sendable (Certificate, Role) async throws -> Void) {
        self.est = est
        self.credentials = credentials
        self.renewAt = renewAt
        self.checkInterval = checkInterval
        self.store = store
        self.status = status
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            await renewDue()
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: checkInterval) } } catch { return }
        }
    }

    /// Renews each certificate that is due; public for tests.
    public func renewDue(now: Date = Date()) async {
        for role in [Role.signing, .tls] {
            let (certificate, key) = role == .signing
                ? (credentials.signingCertificate, credentials.signingKey)
                : (credentials.tlsCertificate, credentials.tlsKey)
            guard rule.isDue(certificate, at: now) else { continue }
            do {
                let csr = try await CertificateRequests.make(signer: key, subject: certificate.subject)
                let renewed = try await est.simpleReenroll(csr, current: certificate, key: key)
                try await store(renewed, role)
                switch role {
                case .signing: try credentials.replaceSigningCertificate(renewed)
                case .tls: try credentials.replaceTLSCertificate(renewed)
                }
                renewals.increment()
                status.update {
                    if role == .signing { $0.signingCertificateExpires = renewed.notValidAfter } else { $0.tlsCertificateExpires = renewed.notValidAfter }
                }
                logger.notice("renewed the \(role.rawValue) certificate: serial \(CertificateSerial(certificate.serialNumber)) → \(CertificateSerial(renewed.serialNumber)), valid until \(renewed.notValidAfter)")
            } catch {
                logger.error("renewing the \(role.rawValue) certificate (serial \(CertificateSerial(certificate.serialNumber)), expires \(certificate.notValidAfter)) failed: \(error); trying again in \(checkInterval)")
                status.error("certificate renewal (\(role.rawValue)) failed: \(error)")
            }
        }
    }
}
