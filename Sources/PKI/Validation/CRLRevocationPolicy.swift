import Foundation
import Signing
import SwiftASN1
import X509

/// Revocation by CRL as a verifier policy, run while the path is built (as swift-certificates runs its OCSP
/// policy), so a revoked certificate fails the chain itself rather than a check after it. Every certificate below
/// the root is looked up in its issuer's newest CRL that the issuer signed. Without such a CRL, or with one past
/// its nextUpdate (plus the grace), the status is unavailable: refused when failing closed, passed otherwise.
///
/// A leaf revoked for a reason that does not reach back (`CRLReason.reachesBack`: superseded, affiliation changed,
/// cessation of operation) still verifies what it signed before the revocation date, when the caller says when the
/// signature was made (`signedAt`, a record's signed date-time).
struct CRLRevocationPolicy: VerifierPolicy {
    let crls: [ParsedCRL]
    let failClosed: Bool
    let staleGrace: TimeInterval
    let time: Date
    /// When the checked signature was made, as the signed object says; nil for a check of the certificate now
    /// (a TLS peer, a live request).
    let signedAt: Date?
    let log: FailureLog

    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = []

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        let certificates = Array(chain)
        for (certificate, issuer) in zip(certificates, certificates.dropFirst()) {
            let subject = certificate.subject.description
            let fromIssuer = crls.filter { $0.issuer == issuer.subject && $0.isSigned(by: issuer) }
            guard let crl = fromIssuer.max(by: { ($0.number ?? 0, $0.thisUpdate) < ($1.number ?? 0, $1.thisUpdate) }) else {
                guard failClosed else { continue }
                return refuse(.revocationStatusUnavailable(subject: subject, detail: "no CRL from \(issuer.subject); fetch the issuer's CRL"))
            }
            if let next = crl.nextUpdate, next.addingTimeInterval(staleGrace) < time {
                guard failClosed else { continue }
                return refuse(.revocationStatusUnavailable(
                    subject: subject, detail: "the CRL from \(issuer.subject) expired at \(CertificateValidationFailure.format(next)); fetch a fresh CRL"))
            }
            if let revoked = crl.revocation(of: certificate) {
                // A CRL states the revocation to the second (no fractions): one at 12:00:00.7 reads 12:00:00, and a
                // frame signed at 12:00:00.3 came before it. So the whole second counts as before; a frame signed in
                // it after a revocation that does not reach back can only come from the key's own holder.
                if certificate == chain.leaf, let signedAt, !revoked.reason.reachesBack, signedAt < revoked.date.addingTimeInterval(1) {
                    log.notePassedRevoked()
                    continue
                }
                return refuse(.revoked(subject: subject, serial: CertificateSerial(certificate.serialNumber).description, date: revoked.date, reason: revoked.reason))
            }
        }
        return .meetsPolicy
    }

    private func refuse(_ failure: CertificateValidationFailure) -> PolicyEvaluationResult {
        log.record(failure)
        return .failsToMeetPolicy(reason: failure.description)
    }
}

/// swift-certificates' OCSP policy, with its refusal turned into a typed failure: "revoked through OCSP" is a
/// revocation, an unknown serial is an untrusted certificate, anything else (responder unreachable, a response that
/// does not verify or is stale) leaves the status unavailable. Its sentences are the only signal it gives; the
/// tests in PKIServiceTests hold these mappings to real pkid answers.
struct OCSPRevocationPolicy: VerifierPolicy {
    var inner: OCSPVerifierPolicy<AnyOCSPRequester>
    let log: FailureLog

    var verifyingCriticalExtensions: [ASN1ObjectIdentifier] { inner.verifyingCriticalExtensions }

    mutating func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        let result = await inner.chainMeetsPolicyRequirements(chain: chain)
        guard case .failsToMeetPolicy(let reason) = result else { return result }
        let leaf = chain.leaf
        let subject = leaf.subject.description
        let sentence = reason.description
        if sentence.contains("revoked through OCSP") {
            log.record(.revoked(subject: subject, serial: CertificateSerial(leaf.serialNumber).description, date: nil, reason: nil))
        } else if sentence.contains("status unknown") {
            log.record(.untrustedChain(subject: subject, detail: "its OCSP responder does not know it"))
        } else {
            log.record(.revocationStatusUnavailable(subject: subject, detail: sentence))
        }
        return result
    }
}
