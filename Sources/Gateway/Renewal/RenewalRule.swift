import Foundation
import X509

/// When a certificate is due for renewal: once `share` of its lifetime has passed (70 % by default, as IEC 62351-9
/// suggests), so a renewal that fails has the remaining 30 % to be tried again before the certificate expires.
/// The one place of the rule: gatewayd's `CertificateRenewal`, `gatewayctl enroll renew` and `gatewayctl status`'s
/// "renewal due" all ask it.
public struct RenewalRule: Sendable, Hashable {
    /// `pki.renew_at` when the configuration does not set it.
    public static let defaultShare = 0.7

    /// The share of the lifetime after which a certificate is due, 0.7 for 70 %.
    public let share: Double

    public init(share: Double = RenewalRule.defaultShare) {
        self.share = share
    }

    /// When `certificate` is due.
    public func due(_ certificate: Certificate) -> Date {
        certificate.notValidBefore.addingTimeInterval(certificate.notValidAfter.timeIntervalSince(certificate.notValidBefore) * share)
    }

    /// Whether `certificate` is due at `now`.
    public func isDue(_ certificate: Certificate, at now: Date) -> Bool {
        now >= due(certificate)
    }

    /// The share as people write it: "70 %".
    public var percent: String { "\(Int((share * 100).rounded())) %" }
}
