import COSEM
import PKI

/// The fields every signed frame of this project carries around its content, read once for all of them
/// (acknowledgements, requests, responses): an 8-byte transaction id, two system titles, a date-time of signing,
/// `certificate_info` and a signature of a plausible length. Each frame type turns a `Problem` into its own typed
/// error, naming itself.
struct SignedFrameFields {
    var frame: GeneralSigning
    var transactionID: UInt64
    var originator: SystemTitle
    var recipient: SystemTitle
    var signedAt: COSEMDateTime
    var certificateInfo: CertificateInfo

    enum Problem: Error {
        case oversized(length: Int)
        case notGeneralSigning(COSEMError)
        case transactionIDLength(Int)
        case systemTitleLength(field: String, length: Int)
        case missingSigningTime
        case certificateInfo(PKIError)
        case signatureLength(Int)
    }

    /// Reads `bytes` as a general-signing frame of at most `maxFrameSize` bytes with those fields; the content is
    /// left to the caller.
    init(decoding bytes: [UInt8], maxFrameSize: Int, maxSignatureSize: Int) throws(Problem) {
        guard bytes.count <= maxFrameSize else { throw .oversized(length: bytes.count) }
        do {
            frame = try GeneralSigning(decoding: bytes, limits: DecodingLimits(maxLength: maxFrameSize))
        } catch {
            throw .notGeneralSigning(error)
        }
        guard frame.transactionID.count == 8 else { throw .transactionIDLength(frame.transactionID.count) }
        transactionID = frame.transactionID.reduce(0) { $0 << 8 | UInt64($1) }
        guard let originator = try? SystemTitle(bytes: frame.originatorSystemTitle) else {
            throw .systemTitleLength(field: "originator", length: frame.originatorSystemTitle.count)
        }
        guard let recipient = try? SystemTitle(bytes: frame.recipientSystemTitle) else {
            throw .systemTitleLength(field: "recipient", length: frame.recipientSystemTitle.count)
        }
        self.originator = originator
        self.recipient = recipient
        guard let signedAt = frame.dateTime else { throw .missingSigningTime }
        self.signedAt = signedAt
        do {
            certificateInfo = try CertificateInfo(derEncoded: frame.otherInformation)
        } catch {
            throw .certificateInfo(error)
        }
        guard (1...maxSignatureSize).contains(frame.signature.count) else { throw .signatureLength(frame.signature.count) }
    }
}
