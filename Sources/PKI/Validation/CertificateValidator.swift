import Foundation
import X509

/// Decides whether a certificate is to be trusted for a purpose: a chain to one of the configured trust anchors,
/// every certificate within its validity, the leaf's key usage fitting its profile, and no certificate of the chain
/// revoked. Revocation fails closed by default: without a current CRL from an issuer, nothing it issued is trusted.
/// The answer names the check that failed, in words a user can act on.
public struct CertificateValidator: Sendable {
    public enum Revocation: Sendable {
        /// No revocation check (only for tests and isolated set-ups).
        case none
        /// Check against CRLs the caller supplies (fetched from pkid's `/crl` or read from disk).
        case crl
        /// Ask the OCSP responder each certificate names (its AIA), through `requester` (pkid's `/ocsp`); whether an
        /// unreachable responder refuses the certificate is the requester's choice (`HTTPOCSPRequester.failClosed`).
        case ocsp(any OCSPRequester)
    }

    public struct Policy: Sendable {
        public var revocation: Revocation = .crl
        /// When no usable CRL is at hand: refuse (true, the default) or accept without a revocation check. In OCSP
        /// mode a revoked or unknown answer always refuses.
        public var failClosed = true
        /// How long past its nextUpdate a CRL is still accepted.
        public var staleCRLGrace: TimeInterval = 0

        public init() {}
    }

    public enum Result: Sendable, Hashable {
        case valid(chain: [Certificate])
        case invalid(reason: String)

        public var isValid: Bool { if case .valid = self { true } else { false } }
    }

    public var trustAnchors: [Certificate]
    public var intermediates: [Certificate]
    public var crls: [ParsedCRL]
    public var policy: Policy

    public init(trustAnchors: [Certificate], intermediates: [Certificate] = [], crls: [ParsedCRL] = [], policy: Policy = Policy()) {
        self.trustAnchors = trustAnchors
        self.intermediates = intermediates
        self.crls = crls
        self.policy = policy
    }

    public func validate(_ leaf: Certificate, profile: CertificateProfile, at time: Date = Date()) async -> Result {
        let outcome: CertificateValidationResult
        if case .ocsp(let requester) = policy.revocation {
            var verifier = Verifier(rootCertificates: CertificateStore(trustAnchors)) {
                RFC5280Policy(validationTime: time)
                ProfilePolicy(profile: profile)
                OCSPVerifierPolicy(failureMode: policy.failClosed ? .hard : .soft, requester: AnyOCSPRequester(requester), validationTime: time)
            }
            outcome = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates))
        } else {
            var verifier = Verifier(rootCertificates: CertificateStore(trustAnchors)) {
                RFC5280Policy(validationTime: time)
                ProfilePolicy(profile: profile)
            }
            outcome = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates))
        }
        let chain: [Certificate]
        switch outcome {
        case .validCertificate(let validated):
            chain = Array(validated)
        case .couldNotValidate(let failures):
            return .invalid(reason: Self.explain(leaf, failures: failures, at: time))
        }
        guard case .crl = policy.revocation else { return .valid(chain: chain) }
        for (certificate, issuer) in zip(chain, chain.dropFirst()) {
            let fromIssuer = crls.filter { $0.issuer == issuer.subject && $0.isSigned(by: issuer) }
            guard let crl = fromIssuer.max(by: { ($0.number ?? 0, $0.thisUpdate) < ($1.number ?? 0, $1.thisUpdate) }) else {
                if policy.failClosed { return .invalid(reason: "no CRL from \(issuer.subject) to check \(certificate.subject) against; fetch the issuer's CRL") }
                continue
            }
            if let next = crl.nextUpdate, next.addingTimeInterval(policy.staleCRLGrace) < time {
                if policy.failClosed {
                    return .invalid(reason: "the CRL from \(issuer.subject) expired at \(Self.format(next)); fetch a fresh CRL")
                }
                continue
            }
            if let revoked = crl.revocation(of: certificate) {
                return .invalid(reason: "certificate \(hexKey(certificate.serialNumber.bytes)) of \(certificate.subject) was revoked on \(Self.format(revoked.date)) (\(revoked.reason))")
            }
        }
        return .valid(chain: chain)
    }

    private static func explain(_ leaf: Certificate, failures: [CertificateValidationResult.PolicyFailure], at time: Date) -> String {
        if time < leaf.notValidBefore { return "certificate of \(leaf.subject) is not valid before \(format(leaf.notValidBefore))" }
        if time > leaf.notValidAfter { return "certificate of \(leaf.subject) expired at \(format(leaf.notValidAfter))" }
        guard let first = failures.first else {
            return "certificate of \(leaf.subject) does not chain to a trusted CA (issuer \(leaf.issuer))"
        }
        return "certificate of \(leaf.subject) is not trusted: \(first.policyFailureReason)"
    }

    static func format(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}

/// A concrete requester around any requester, for swift-certificates' generic OCSP policy.
struct AnyOCSPRequester: OCSPRequester {
    let base: any OCSPRequester
    init(_ base: any OCSPRequester) { self.base = base }
    func query(request: [UInt8], uri: String) async -> OCSPRequesterQueryResult {
        await base.query(request: request, uri: uri)
    }
}
