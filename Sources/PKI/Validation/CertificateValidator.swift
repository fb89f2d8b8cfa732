import Foundation
import X509

/// Decides whether a certificate is to be trusted for a purpose: a chain to one of the configured trust anchors,
/// every certificate within its validity, the leaf's key usage fitting its profile, and no certificate of the chain
/// revoked. Revocation fails closed by default: without a current CRL from an issuer, nothing it issued is trusted.
/// A refusal is typed (`CertificateValidationFailure`), so a receiver can tell a verdict from a status it could not
/// get, and prints as a sentence a user can act on.
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
        case invalid(CertificateValidationFailure)

        public var isValid: Bool { if case .valid = self { true } else { false } }
        public var failure: CertificateValidationFailure? { if case .invalid(let failure) = self { failure } else { nil } }
    }

    public var trustAnchors: [Certificate]
    public var intermediates: [Certificate]
    public var crls: [ParsedCRL]
    public var policy: Policy
    /// Where valid verdicts are kept for the next check of the same certificate (`ValidationCache`); nil checks
    /// every time.
    public var cache: ValidationCache?

    public init(trustAnchors: [Certificate], intermediates: [Certificate] = [], crls: [ParsedCRL] = [], policy: Policy = Policy(),
                cache: ValidationCache? = nil) {
        self.trustAnchors = trustAnchors
        self.intermediates = intermediates
        self.crls = crls
        self.policy = policy
        self.cache = cache
    }

    /// Builds a path to a trust anchor on which every policy holds: RFC 5280 (validity, constraints), the profile,
    /// and revocation of every certificate in it.
    ///
    /// - Parameter signedAt: when the signature to be trusted was made, as the signed object states it (a record's
    ///   date-time). A leaf revoked after that time for a reason that does not reach back (superseded, affiliation
    ///   changed, cessation of operation) is still trusted for it; nil trusts nothing revoked.
    public func validate(_ leaf: Certificate, profile: CertificateProfile, at time: Date = Date(), signedAt: Date? = nil) async -> Result {
        let basis = cacheBasis
        if let cache, let basis, let chain = cache.chain(for: leaf, profile: profile, basis: basis, at: time) {
            return .valid(chain: chain)
        }
        let log = FailureLog()
        let result = await build(leaf, profile: profile, at: time, signedAt: signedAt, log: log)
        if let cache, let basis, !log.passedARevokedLeaf, case .valid(let chain) = result {
            cache.keep(chain, for: leaf, profile: profile, basis: basis, crls: crls, at: time)
        }
        return result
    }

    /// What a kept verdict rests on, nil when none may be kept (OCSP).
    private var cacheBasis: ValidationCache.Basis? {
        let crlStamps: [ValidationCache.Basis.CRLStamp]?
        switch policy.revocation {
        case .ocsp: return nil
        case .none: crlStamps = nil
        case .crl: crlStamps = crls.map(ValidationCache.Basis.CRLStamp.init)
        }
        return ValidationCache.Basis(trustAnchors: trustAnchors, intermediates: intermediates, crls: crlStamps,
                                     failClosed: policy.failClosed, staleCRLGrace: policy.staleCRLGrace)
    }

    private func build(_ leaf: Certificate, profile: CertificateProfile, at time: Date, signedAt: Date?, log: FailureLog) async -> Result {
        let roots = CertificateStore(trustAnchors)
        let outcome: CertificateValidationResult
        switch policy.revocation {
        case .none:
            var verifier = Verifier(rootCertificates: roots) {
                RFC5280Policy(validationTime: time)
                ProfilePolicy(profile: profile, log: log)
            }
            outcome = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates))
        case .crl:
            var verifier = Verifier(rootCertificates: roots) {
                RFC5280Policy(validationTime: time)
                ProfilePolicy(profile: profile, log: log)
                CRLRevocationPolicy(crls: crls, failClosed: policy.failClosed, staleGrace: policy.staleCRLGrace, time: time, signedAt: signedAt, log: log)
            }
            outcome = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates))
        case .ocsp(let requester):
            let ocsp = OCSPVerifierPolicy(failureMode: policy.failClosed ? .hard : .soft, requester: AnyOCSPRequester(requester), validationTime: time)
            var verifier = Verifier(rootCertificates: roots) {
                RFC5280Policy(validationTime: time)
                ProfilePolicy(profile: profile, log: log)
                OCSPRevocationPolicy(inner: ocsp, log: log)
            }
            outcome = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates))
        }
        switch outcome {
        case .validCertificate(let chain):
            return .valid(chain: Array(chain))
        case .couldNotValidate(let failures):
            return .invalid(log.mostTelling ?? classify(leaf, failures: failures, at: time))
        }
    }

    /// A refusal by swift-certificates' own policies: validity when a certificate's dates say so, otherwise no path.
    private func classify(_ leaf: Certificate, failures: [CertificateValidationResult.PolicyFailure], at time: Date) -> CertificateValidationFailure {
        let issuers = (intermediates + trustAnchors).filter { $0.subject == leaf.issuer }
        for certificate in [leaf] + issuers {
            let subject = certificate.subject.description
            if time < certificate.notValidBefore { return .notYetValid(subject: subject, notBefore: certificate.notValidBefore) }
            if time > certificate.notValidAfter { return .expired(subject: subject, notAfter: certificate.notValidAfter) }
        }
        let detail = failures.first.map { "\($0.policyFailureReason)" } ?? "it does not chain to a trusted CA (issuer \(leaf.issuer))"
        return .untrustedChain(subject: leaf.subject.description, detail: detail)
    }
}

/// A concrete requester around any requester, for swift-certificates' generic OCSP policy.
struct AnyOCSPRequester: OCSPRequester {
    let base: any OCSPRequester
    init(_ base: any OCSPRequester) { self.base = base }
    func query(request: [UInt8], uri: String) async -> OCSPRequesterQueryResult {
        await base.query(request: request, uri: uri)
    }
}
