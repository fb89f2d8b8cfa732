import Synchronization

/// Where this project's verifier policies leave the typed reason they refused a chain for. swift-certificates'
/// policies answer with a sentence only (`PolicyFailureReason`), and the head-end must tell "revoked" (refuse for
/// good) from "revocation status unavailable" (retry later) without parsing sentences; one log serves one
/// `validate` call.
final class FailureLog: Sendable {
    private let failures = Mutex<[CertificateValidationFailure]>([])
    private let passedRevoked = Mutex(false)

    /// A revoked leaf passed because its revocation does not reach back to the signing time
    /// (`CRLReason.reachesBack`): the verdict holds for that signing time only, so it is never cached.
    func notePassedRevoked() {
        passedRevoked.withLock { $0 = true }
    }

    var passedARevokedLeaf: Bool { passedRevoked.withLock { $0 } }

    func record(_ failure: CertificateValidationFailure) {
        failures.withLock { $0.append(failure) }
    }

    /// The most telling failure recorded: a revocation beats a profile mismatch beats an unavailable status,
    /// since the path builder may try several chains and the one that got furthest says the most.
    var mostTelling: CertificateValidationFailure? {
        failures.withLock { recorded in
            recorded.min { Self.rank($0) < Self.rank($1) }
        }
    }

    private static func rank(_ failure: CertificateValidationFailure) -> Int {
        switch failure {
        case .revoked: 0
        case .wrongProfile: 1
        case .revocationStatusUnavailable: 2
        case .expired, .notYetValid: 3
        case .untrustedChain: 4
        }
    }
}
