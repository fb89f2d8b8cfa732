import COSEM
import PKI

/// The outcome of checking a signed record: each check with its verdict, the record when it could be read, and
/// the one reason to reject it (the first failed check). A receiver branches on `CheckKind` and, for the
/// certificate, on the validator's typed failure: only `isRetryable` outcomes are worth holding and retrying.
public struct RecordVerification: SignedFrameVerification {
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

    public typealias Check = VerificationCheck<CheckKind>
    public static let certificateCheck = CheckKind.certificate

    public var checks: [Check] = []
    public var record: MeasurementRecord?
    public var transactionID: UInt64?
    public var originator: SystemTitle?
    /// Who the frame is addressed to: a head-end refuses a frame for another (`Refusal.Reason.recipient`).
    public var recipient: SystemTitle?
    public var signedAt: COSEMDateTime?
    /// The validator's refusal, when the certificate check failed.
    public var certificateFailure: CertificateValidationFailure?
    /// Why the signer's certificate could not be found, when it was looked up and was not.
    public var lookupFailure: CertificateLookupError?
}
