import SwiftASN1
import X509

/// Checks that the leaf may be used as its profile says: a signing certificate must allow digitalSignature and
/// carry no TLS usages, a TLS certificate digitalSignature and both serverAuth and clientAuth, a CA keyCertSign.
struct ProfilePolicy: VerifierPolicy {
    let profile: CertificateProfile
    let log: FailureLog

    var verifyingCriticalExtensions: [ASN1ObjectIdentifier] {
        [.X509ExtensionID.keyUsage, .X509ExtensionID.extendedKeyUsage]
    }

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        guard let mismatch = profile.mismatch(chain.leaf) else { return .meetsPolicy }
        log.record(.wrongProfile(subject: chain.leaf.subject.description, expected: profile, detail: mismatch))
        return .failsToMeetPolicy(reason: mismatch)
    }
}

extension CertificateProfile {
    /// What keeps `leaf` from serving in this profile, or nil when nothing does.
    public func mismatch(_ leaf: Certificate) -> String? {
        let keyUsage = try? leaf.extensions.keyUsage
        let usages = (try? leaf.extensions.extendedKeyUsage).map { Array($0) } ?? []
        switch self {
        case .ca:
            guard keyUsage?.keyCertSign == true else { return "its key usage does not allow signing certificates" }
        case .sign:
            guard keyUsage?.digitalSignature == true else { return "its key usage does not allow digital signatures" }
            // A TLS certificate also allows digitalSignature; the signing profile is the one without TLS usages.
            guard usages.isEmpty else { return "it is a TLS certificate (extended key usage set)" }
        case .tls:
            guard keyUsage?.digitalSignature == true else { return "its key usage does not allow digital signatures" }
            guard usages.contains(.serverAuth), usages.contains(.clientAuth) else {
                return "its extended key usage lacks serverAuth or clientAuth"
            }
        }
        return nil
    }
}
