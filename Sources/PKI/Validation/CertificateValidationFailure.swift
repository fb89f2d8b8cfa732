import Foundation
import X509

/// Why a certificate is not trusted, in the terms a receiver acts on. A revoked, expired, untrusted or mis-profiled
/// certificate is refused for good; `revocationStatusUnavailable` is no verdict on the certificate at all (no
/// current CRL, OCSP responder unreachable): hold what it signed and try again later. `description` is the sentence
/// a user reads, naming the certificate and what to do.
public enum CertificateValidationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// No path to a trust anchor: an unknown issuer, a broken signature, a CA that may not issue.
    case untrustedChain(subject: String, detail: String)
    case notYetValid(subject: String, notBefore: Date)
    case expired(subject: String, notAfter: Date)
    /// The key usage or extended key usage does not fit the profile the certificate is used for.
    case wrongProfile(subject: String, expected: CertificateProfile, detail: String)
    /// Revoked by its issuer; date and reason are nil when the source (OCSP through swift-certificates) does not say.
    case revoked(subject: String, serial: String, date: Date?, reason: CRLReason?)
    case revocationStatusUnavailable(subject: String, detail: String)

    /// Whether asking again later can change the answer.
    public var isRetryable: Bool {
        if case .revocationStatusUnavailable = self { true } else { false }
    }

    public var description: String {
        switch self {
        case .untrustedChain(let subject, let detail):
            "certificate of \(subject) is not trusted: \(detail)"
        case .notYetValid(let subject, let notBefore):
            "certificate of \(subject) is not valid before \(Self.format(notBefore))"
        case .expired(let subject, let notAfter):
            "certificate of \(subject) expired at \(Self.format(notAfter))"
        case .wrongProfile(let subject, let expected, let detail):
            "certificate of \(subject) is not a \(expected) certificate: \(detail)"
        case .revoked(let subject, let serial, let date, let reason):
            "certificate \(serial) of \(subject) was revoked"
                + (date.map { " on \(Self.format($0))" } ?? "") + (reason.map { " (\($0))" } ?? "")
        case .revocationStatusUnavailable(let subject, let detail):
            "cannot tell whether the certificate of \(subject) is revoked: \(detail)"
        }
    }

    static func format(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
