import COSEM
import Foundation
import PKI
import X509

/// The check of a gateway's TLS client certificate, run inside the handshake (NIOSSL's custom verification
/// callback, which replaces BoringSSL's own): a chain to the trust anchors, every certificate within its validity,
/// the `tls` profile (a gateway's signing certificate is refused), revocation by the current CRL (failing closed:
/// no current CRL, no connection), and a subject CN that is a system title, which then names the gateway for every
/// frame of the connection.
///
/// Checked in the handshake rather than after it, a refused gateway never gets a TLS session to send bytes on,
/// and the one line logged says why (`TLSRefusal.description`).
public struct GatewayCertificateCheck: Sendable {
    public let trustAnchors: [Certificate]
    public let intermediates: [Certificate]
    public let revocation: any RevocationListSource

    public init(trustAnchors: [Certificate], intermediates: [Certificate] = [], revocation: any RevocationListSource) {
        self.trustAnchors = trustAnchors
        self.intermediates = intermediates
        self.revocation = revocation
    }

    /// The gateway the chain (leaf first, as the client sent it, DER) identifies, or why it is refused.
    public func check(chain: [[UInt8]], at time: Date = Date()) async -> Result<SystemTitle, TLSRefusal> {
        guard !chain.isEmpty else { return .failure(.noCertificate) }
        let certificates: [Certificate]
        do {
            certificates = try chain.map { try Certificate(derEncoded: $0) }
        } catch {
            return .failure(.unreadable("\(error)"))
        }
        let leaf = certificates[0]
        let validator = CertificateValidator(trustAnchors: trustAnchors, intermediates: intermediates + certificates.dropFirst(),
                                             crls: await revocation.crls())
        if case .invalid(let failure) = await validator.validate(leaf, profile: .tls, at: time) {
            return .failure(.certificate(failure))
        }
        guard let name = SubjectName.commonName(of: leaf.subject), let title = try? SystemTitle(hex: name) else {
            return .failure(.notAGateway(subject: leaf.subject.description))
        }
        return .success(title)
    }
}

/// Why a gateway's TLS handshake was refused.
public enum TLSRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    case noCertificate
    case unreadable(String)
    case certificate(CertificateValidationFailure)
    /// Trusted, but its CN is not a system title: not a gateway's certificate.
    case notAGateway(subject: String)

    /// The `reason` label of `headend_tls_refusals_total`.
    public var label: String {
        switch self {
        case .noCertificate: "no_certificate"
        case .unreadable: "unreadable"
        case .certificate(let failure):
            switch failure {
            case .untrustedChain: "untrusted"
            case .notYetValid: "not_yet_valid"
            case .expired: "expired"
            case .wrongProfile: "wrong_profile"
            case .revoked: "revoked"
            case .revocationStatusUnavailable: "revocation_status_unavailable"
            }
        case .notAGateway: "not_a_gateway"
        }
    }

    public var description: String {
        switch self {
        case .noCertificate: "the client sent no certificate"
        case .unreadable(let reason): "the client certificate does not parse: \(reason)"
        case .certificate(let failure): "\(failure)"
        case .notAGateway(let subject): "the client certificate's subject \(subject) is not a gateway's system title"
        }
    }
}
