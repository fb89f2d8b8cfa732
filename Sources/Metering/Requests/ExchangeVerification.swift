import COSEM
import PKI
import X509

/// What each check of a signed request or response establishes, in the order they run; the raw value is the name
/// printed.
public enum ExchangeCheckKind: String, Sendable, Hashable, CaseIterable {
    /// The bytes are a signed request (response) in `SignedExchange`'s strict layout.
    case frame
    /// `certificate_info` names the certificate the Central Directory gave for its serial.
    case certificateInfo = "certificate_info"
    /// The originator is the certificate's subject (and, for a response, the gateway asked).
    case originator
    /// The recipient is this receiver: a frame for another cannot be answered or accepted here.
    case recipient
    /// The signature verifies with the certificate's key over the agreed bytes.
    case signature
    /// The certificate is trusted: chain, validity, signing profile (key usage), revocation.
    case certificate
    /// A response echoes the transaction id of the request it answers.
    case transaction
}

/// The outcome of checking a signed request at the gateway or a response at the head-end: each check with its
/// verdict, and the frame itself only when every check passed. A refusal is final unless it is only for want of
/// the signer certificate's revocation status or of the directory (`isRetryable`).
public struct ExchangeVerification<Body: ExchangeBody>: SignedFrameVerification {
    public typealias Check = VerificationCheck<ExchangeCheckKind>
    public static var certificateCheck: ExchangeCheckKind { .certificate }

    public var checks: [Check] = []
    /// The frame as decoded, verified or not; nil when the bytes are not one.
    public var decoded: SignedExchange<Body>?
    public var decodingError: ExchangeError?
    public var certificate: Certificate?
    public var certificateFailure: CertificateValidationFailure?
    public var lookupFailure: CertificateLookupError?

    public init() {}

    /// The verified frame, only when every check passed: what a receiver acts on.
    public var verified: SignedExchange<Body>? { passed ? decoded : nil }
}

public typealias RequestVerification = ExchangeVerification<GetRequestNormal>
public typealias ResponseVerification = ExchangeVerification<GetResponseNormal>
