import SwiftASN1
import X509

/// Checks that the leaf may be used as its profile says: a signing certificate must allow digitalSignature, a
/// TLS certificate digitalSignature and both serverAuth and clientAuth.
struct ProfilePolicy: VerifierPolicy {
    let profile: CertificateProfile

    var verifyingCriticalExtensions: [ASN1ObjectIdentifier] {
        [.X509ExtensionID.keyUsage, .X509ExtensionID.extendedKeyUsage]
    }

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        let leaf = chain.leaf
        let keyUsage = try? leaf.extensions.keyUsage
        switch profile {
        case .ca:
            guard keyUsage?.keyCertSign == true else { return .failsToMeetPolicy(reason: "its key usage does not allow signing certificates") }
        case .sign:
            guard keyUsage?.digitalSignature == true else {
                return .failsToMeetPolicy(reason: "its key usage does not allow digital signatures (not a signing certificate)")
            }
            // A TLS certificate also allows digitalSignature; the signing profile is the one without TLS usages.
            if let usages = try? leaf.extensions.extendedKeyUsage, !Array(usages).isEmpty {
                return .failsToMeetPolicy(reason: "it is a TLS certificate (extended key usage set), not a signing certificate")
            }
        case .tls:
            guard keyUsage?.digitalSignature == true else {
                return .failsToMeetPolicy(reason: "its key usage does not allow digital signatures")
            }
            let usages = (try? leaf.extensions.extendedKeyUsage).map { Array($0) } ?? []
            guard usages.contains(.serverAuth), usages.contains(.clientAuth) else {
                return .failsToMeetPolicy(reason: "it is not a TLS certificate (extended key usage lacks serverAuth or clientAuth)")
            }
        }
        return .meetsPolicy
    }
}
