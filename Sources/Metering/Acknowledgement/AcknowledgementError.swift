import COSEM
import PKI

/// Why bytes are not a signed acknowledgement, or an acknowledgement cannot be built. Each case names the part of
/// the frame at fault, so a gateway's log says what the head-end (or whoever sent it) got wrong.
public enum AcknowledgementError: Error, Sendable, Hashable, CustomStringConvertible {
    /// More bytes than any acknowledgement takes; refused before decoding.
    case oversized(length: Int, limit: Int)
    /// Not a general-signing APDU (truncated, trailing bytes, non-canonical, another APDU).
    case notGeneralSigning(COSEMError)
    /// The general-signing transaction-id is not the 8 bytes of the head-end's counter.
    case transactionIDLength(Int)
    /// A system title that is not 8 bytes; `role` is originator or recipient.
    case systemTitleLength(role: String, length: Int)
    /// No date-time of signing.
    case missingSigningTime
    /// other-information is not a certificate_info.
    case certificateInfo(PKIError)
    /// The content is not a data-notification within the acknowledgement's limits.
    case content(COSEMError)
    /// The data-notification is not an acknowledgement: another shape, or a value the layout does not define.
    case malformed(String)
    /// The data-notification's invoke id is not the low 24 bits of the frame's transaction id.
    case invokeIDMismatch(invokeID: UInt32, transactionID: UInt64)
    /// An empty signature, or one longer than any supported key gives.
    case signatureLength(Int)
    /// A refusal text that is not printable ASCII of at most 255 characters.
    case invalidText(String)

    public var description: String {
        switch self {
        case .oversized(let length, let limit):
            "not an acknowledgement: \(length) bytes, more than the \(limit) any acknowledgement takes"
        case .notGeneralSigning(let error):
            "not an acknowledgement: not a general-signing APDU: \(error)"
        case .transactionIDLength(let length):
            "not an acknowledgement: its transaction-id is \(length) bytes, not 8"
        case .systemTitleLength(let role, let length):
            "not an acknowledgement: its \(role) system title is \(length) bytes, not 8"
        case .missingSigningTime:
            "not an acknowledgement: it carries no date-time of signing"
        case .certificateInfo(let error):
            "not an acknowledgement: \(error)"
        case .content(let error):
            "not an acknowledgement: its content is not an acknowledgement's data-notification: \(error)"
        case .malformed(let reason):
            "not an acknowledgement: \(reason)"
        case .invokeIDMismatch(let invokeID, let transactionID):
            "not an acknowledgement: invoke id \(invokeID) is not the low 24 bits of transaction id \(transactionID)"
        case .signatureLength(let length):
            "not an acknowledgement: a signature of \(length) bytes"
        case .invalidText(let text):
            "a refusal's text must be printable ASCII of at most \(Refusal.maxTextLength) characters, not \(String(text.prefix(40)).debugDescription)"
        }
    }
}
