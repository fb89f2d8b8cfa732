import COSEM
import Foundation
import PKI
import Signing
import X509

/// A signed request or response as it travels: general-signing (tag DF) around one get-request-normal or
/// get-response-normal, field for field:
///
/// ```
/// DF  transaction-id          8 bytes: the requester's counter (strictly increasing per requester, persisted);
///                             a response echoes its request's
///     originator system title who signed: the requester, or the gateway answering
///     recipient system title  who it is for
///     date-time               of signing, 12 bytes, required (the gateway refuses a request outside its window)
///     other-information       certificate_info: DER IssuerAndSerialNumber naming the signer's certificate, the
///                             receiver looks it up by serial in the Central Directory
///     content                 C0 01 get-request-normal | C4 01 get-response-normal (the invoke id is the
///                             transaction id's low 4 bits)
///     signature               raw r‖s (or RSA-PSS), over convention A or B as for records
/// ```
///
/// So `Request || Serial || Signature` of the seed is this frame: the serial travels in certificate_info, and the
/// signature covers the request together with the addresses, the time and the serial. Decoding is strict: only
/// what `encoded` writes is accepted.
public struct SignedExchange<Body: ExchangeBody>: Sendable, Hashable {
    /// No request or response is longer: the largest value a PAC3200 register gives is a few bytes, certificate_info
    /// a few hundred, the signature at most 512 (RSA-4096).
    public static var maxFrameSize: Int { 4096 }
    public static var maxSignatureSize: Int { 512 }

    public var transactionID: UInt64
    public var originator: SystemTitle
    public var recipient: SystemTitle
    public var signedAt: COSEMDateTime
    public private(set) var certificateInfo: CertificateInfo
    public var body: Body
    public var signature: [UInt8]
    private var certificateInfoDER: [UInt8]

    public init(transactionID: UInt64, originator: SystemTitle, recipient: SystemTitle, signedAt: COSEMDateTime,
                certificateInfo: CertificateInfo, body: Body, signature: [UInt8] = []) throws(ExchangeError) {
        do {
            certificateInfoDER = try certificateInfo.derEncoded
        } catch {
            throw .certificateInfo(role: Body.role, error)
        }
        self.transactionID = transactionID
        self.originator = originator
        self.recipient = recipient
        self.signedAt = signedAt
        self.certificateInfo = certificateInfo
        self.body = body
        self.signature = signature
    }

    /// The invoke id a body carries for `transactionID`: its low 4 bits, confirmed, high priority.
    public static func invokeID(for transactionID: UInt64) -> InvokeIdAndPriority {
        InvokeIdAndPriority(invokeID: UInt8(truncatingIfNeeded: transactionID & 0x0F))
    }

    public var frame: GeneralSigning {
        GeneralSigning(
            transactionID: (0..<8).reversed().map { UInt8(truncatingIfNeeded: transactionID >> ($0 * 8)) },
            originatorSystemTitle: originator.bytes, recipientSystemTitle: recipient.bytes, dateTime: signedAt,
            otherInformation: certificateInfoDER, content: body.encoded, signature: signature
        )
    }

    public var encoded: [UInt8] { frame.encoded }

    public func signedBytes(_ convention: GeneralSigning.SignedBytesConvention = .a) -> [UInt8] {
        frame.signedBytes(convention)
    }

    /// Decodes exactly one signed request (or response); every deviation from the layout above is a typed error.
    public init(decoding bytes: [UInt8]) throws(ExchangeError) {
        let role = Body.role
        let fields: SignedFrameFields
        do {
            fields = try SignedFrameFields(decoding: bytes, maxFrameSize: Self.maxFrameSize, maxSignatureSize: Self.maxSignatureSize)
        } catch {
            switch error {
            case .oversized(let length): throw .oversized(role: role, length: length, limit: Self.maxFrameSize)
            case .notGeneralSigning(let error): throw .notGeneralSigning(role: role, error)
            case .transactionIDLength(let length): throw .transactionIDLength(role: role, length)
            case .systemTitleLength(let field, let length): throw .systemTitleLength(role: role, field: field, length: length)
            case .missingSigningTime: throw .missingSigningTime(role: role)
            case .certificateInfo(let error): throw .certificateInfo(role: role, error)
            case .signatureLength(let length): throw .signatureLength(role: role, length)
            }
        }
        do {
            body = try Body(decoding: fields.frame.content, limits: DecodingLimits(maxLength: Self.maxFrameSize))
        } catch {
            throw .content(role: role, error)
        }
        transactionID = fields.transactionID
        originator = fields.originator
        recipient = fields.recipient
        signedAt = fields.signedAt
        certificateInfo = fields.certificateInfo
        certificateInfoDER = fields.frame.otherInformation
        signature = fields.frame.signature
    }

    /// Signs `body` with no check of key, certificate or system title: the primitive under `ExchangeSigner`, and how
    /// tests make frames a receiver must refuse.
    public static func sign(
        _ body: Body, transactionID: UInt64, signer: any Signer, certificate: Certificate, originator: SystemTitle,
        recipient: SystemTitle, convention: GeneralSigning.SignedBytesConvention = .a, at time: Date = Date()
    ) async throws -> SignedExchange {
        var signed = try SignedExchange(transactionID: transactionID, originator: originator, recipient: recipient,
                                        signedAt: MeasurementRecord.dateTime(time), certificateInfo: CertificateInfo(certificate), body: body)
        signed.signature = try await signer.sign(signed.signedBytes(convention), scheme: SignedRecord.scheme(for: signer.algorithm)).bytes
        return signed
    }
}
