import COSEM
import PKI

/// Why bytes are not a signed request (or response). Each case names the frame's role and the part at fault.
public enum ExchangeError: Error, Sendable, Hashable, CustomStringConvertible {
    case oversized(role: String, length: Int, limit: Int)
    case notGeneralSigning(role: String, COSEMError)
    case transactionIDLength(role: String, Int)
    case systemTitleLength(role: String, field: String, length: Int)
    case missingSigningTime(role: String)
    case certificateInfo(role: String, PKIError)
    /// The content is not the get-request-normal (get-response-normal) the frame must carry.
    case content(role: String, COSEMError)
    case signatureLength(role: String, Int)

    public var description: String {
        switch self {
        case .oversized(let role, let length, let limit):
            "not a signed \(role): \(length) bytes, more than the \(limit) any \(role) takes"
        case .notGeneralSigning(let role, let error):
            "not a signed \(role): not a general-signing APDU: \(error)"
        case .transactionIDLength(let role, let length):
            "not a signed \(role): its transaction-id is \(length) bytes, not 8"
        case .systemTitleLength(let role, let field, let length):
            "not a signed \(role): its \(field) system title is \(length) bytes, not 8"
        case .missingSigningTime(let role):
            "not a signed \(role): it carries no date-time of signing"
        case .certificateInfo(let role, let error):
            "not a signed \(role): \(error)"
        case .content(let role, let error):
            "not a signed \(role): its content is not a get-\(role)-normal: \(error)"
        case .signatureLength(let role, let length):
            "not a signed \(role): a signature of \(length) bytes"
        }
    }
}
