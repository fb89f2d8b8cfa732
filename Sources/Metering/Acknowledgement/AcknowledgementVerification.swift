import COSEM
import PKI

/// The outcome of checking a signed acknowledgement at the gateway: each check with its verdict, and the
/// acknowledgement itself only when every check passed, so nothing unverified can mark a reading delivered.
/// Like `RecordVerification`, a refusal is final unless it is only for want of the head-end certificate's
/// revocation status or of the directory (`isRetryable`): then the same bytes may be verified again later.
public struct AcknowledgementVerification: SignedFrameVerification {
    /// What each check establishes, in the order they run; the raw value is the name printed.
    public enum CheckKind: String, Sendable, Hashable, CaseIterable {
        /// The bytes are a signed acknowledgement (`SignedAcknowledgement`'s strict layout).
        case frame
        /// `certificate_info` names the certificate used.
        case certificateInfo = "certificate_info"
        /// The originator is the head-end this gateway talks to, and its certificate's subject.
        case originator
        /// The recipient is this gateway: another gateway's acknowledgement cannot mark this one's readings.
        case recipient
        /// The signature verifies with the certificate's key over the agreed bytes.
        case signature
        /// The certificate is trusted: chain, validity, signing profile, revocation.
        case certificate
        /// It acknowledges a transaction id this gateway sent and still awaits.
        case transaction
        /// The head-end's transaction id comes after the last one accepted from it: an old acknowledgement replayed
        /// is refused.
        case sequence
    }

    public typealias Check = VerificationCheck<CheckKind>
    public static let certificateCheck = CheckKind.certificate

    public var checks: [Check] = []
    /// The frame as decoded, verified or not; nil when the bytes are not an acknowledgement.
    public var decoded: SignedAcknowledgement?
    /// Why the bytes are not an acknowledgement, when they are not.
    public var decodingError: AcknowledgementError?
    /// The validator's refusal, when the certificate check failed.
    public var certificateFailure: CertificateValidationFailure?
    /// Why the head-end's certificate could not be found, when it was looked up and was not.
    public var lookupFailure: CertificateLookupError?

    /// The acknowledgement, only when every check passed: what a gateway acts on.
    public var acknowledgement: Acknowledgement? { passed ? decoded?.acknowledgement : nil }

    /// The head-end's transaction id of a verified acknowledgement: the next one must come after it.
    public var headEndTransactionID: UInt64? { passed ? decoded?.transactionID : nil }
}
