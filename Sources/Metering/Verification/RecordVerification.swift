import COSEM
import PKI

/// The outcome of checking a signed record: each check with its verdict, the record when it could be read, and
/// the one reason to reject it (the first failed check). A receiver branches on `CheckKind` and, for the
/// certificate, on the validator's typed failure: only `isRetryable` outcomes are worth holding and retrying.
public struct RecordVerification: Sendable {
    /// What each check establishes, in the order they run; the raw value is the name printed and in JSON.
    public enum CheckKind: String, Sendable, Hashable, CaseIterable {
        /// The bytes are a general-signing APDU.
        case frame
        /// `certificate_info` decodes and names the certificate used.
        case certificateInfo = "certificate_info"
        /// The certificate's subject is the frame's originator system title.
        case originator
        /// The signature verifies with the certificate's key over the agreed bytes.
        case signature
        /// The certificate is trusted: chain, validity, signing profile, revocation.
        case certificate
        /// The content is a measurement record numbered as the transaction id says.
        case content
        /// An evidence file's readable copy is exactly what the frame carries.
        case evidence
    }

    public struct Check: Sendable, Hashable {
        public var kind: CheckKind
        public var passed: Bool
        public var detail: String

        public var name: String { kind.rawValue }
    }

    public var checks: [Check] = []
    public var record: MeasurementRecord?
    public var transactionID: UInt64?
    public var originator: SystemTitle?
    public var signedAt: COSEMDateTime?
    /// The validator's refusal, when the certificate check failed.
    public var certificateFailure: CertificateValidationFailure?
    /// Why the signer's certificate could not be found, when it was looked up and was not.
    public var lookupFailure: CertificateLookupError?

    public var passed: Bool { !checks.isEmpty && checks.allSatisfy(\.passed) }
    public var failure: Check? { checks.first { !$0.passed } }

    /// Whether every failed check failed only for want of revocation status or of the directory: no verdict on the
    /// record, so a receiver keeps it and asks again later.
    public var isRetryable: Bool {
        let failed = checks.filter { !$0.passed }
        guard !failed.isEmpty, failed.allSatisfy({ $0.kind == .certificate }) else { return false }
        return certificateFailure?.isRetryable == true || lookupFailure?.isRetryable == true
    }

    mutating func check(_ kind: CheckKind, _ passed: Bool, _ detail: String) {
        checks.append(Check(kind: kind, passed: passed, detail: detail))
    }
}
