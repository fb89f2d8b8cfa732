import PKI

/// One check of a verification: what it establishes, whether it held, and the sentence to report.
public struct VerificationCheck<Kind: RawRepresentable & Hashable & Sendable>: Sendable, Hashable where Kind.RawValue == String {
    public var kind: Kind
    public var passed: Bool
    public var detail: String

    /// The kind's name, as printed and in JSON.
    public var name: String { kind.rawValue }
}

/// What a record's and an acknowledgement's verification share: checks in the order they ran, the first failure,
/// and when a refusal is only for want of revocation status or of the directory (then the same bytes may be
/// verified again later; every other failure is final).
public protocol SignedFrameVerification: Sendable {
    associatedtype CheckKind: RawRepresentable & Hashable & Sendable where CheckKind.RawValue == String
    var checks: [VerificationCheck<CheckKind>] { get set }
    var certificateFailure: CertificateValidationFailure? { get }
    var lookupFailure: CertificateLookupError? { get }
    /// The check that a refused or unfindable certificate fails.
    static var certificateCheck: CheckKind { get }
}

extension SignedFrameVerification {
    public var passed: Bool { !checks.isEmpty && checks.allSatisfy(\.passed) }
    public var failure: VerificationCheck<CheckKind>? { checks.first { !$0.passed } }

    public var isRetryable: Bool {
        let failed = checks.filter { !$0.passed }
        guard !failed.isEmpty, failed.allSatisfy({ $0.kind == Self.certificateCheck }) else { return false }
        return certificateFailure?.isRetryable == true || lookupFailure?.isRetryable == true
    }

    mutating func check(_ kind: CheckKind, _ passed: Bool, _ detail: String) {
        checks.append(VerificationCheck(kind: kind, passed: passed, detail: detail))
    }
}
