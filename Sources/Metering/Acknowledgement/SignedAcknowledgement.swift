import COSEM
import Foundation
import PKI
import Signing
import X509

/// A signed acknowledgement as it travels: general-signing (tag DF) from the head-end to one gateway around the
/// acknowledgement's data-notification, field for field:
///
/// ```
/// DF  transaction-id          8 bytes: the head-end's own counter, strictly increasing over all its acknowledgements
///     originator system title the head-end's (its signing certificate's CN)
///     recipient system title  the gateway's whose record is acknowledged
///     date-time               of signing, 12 bytes, required
///     other-information       certificate_info: DER IssuerAndSerialNumber naming the head-end's certificate
///     content                 data-notification { invoke id = transaction-id's low 24 bits, no date-time, Acknowledgement }
///     signature               raw r‖s (or RSA-PSS), over convention A or B as for records
/// ```
///
/// Two transaction id spaces meet here: the frame's transaction-id is the head-end's (each signer numbers the frames
/// it signs, as the gateway numbers its records), and the gateway's id being answered is inside the signed content.
/// So a gateway can tell a fresh acknowledgement from an old one replayed (the head-end's number only grows), and a
/// second acknowledgement of the same record (a duplicate, or accepted after a retry-later) is a frame of its own.
///
/// Decoding is strict: only what `encoded` writes is accepted, so a decoded value encodes back to the same bytes.
public struct SignedAcknowledgement: Sendable, Hashable {
    /// No acknowledgement is longer: the content is at most 282 bytes, certificate_info a few hundred, the signature
    /// at most 512 (RSA-4096). Longer input is refused before it is decoded.
    public static let maxFrameSize = 4096
    /// The longest signature accepted (RSA-4096); ECDSA P-256 gives 64 bytes, P-384 96.
    public static let maxSignatureSize = 512

    /// The head-end's transaction id (its own counter), not the gateway's.
    public var transactionID: UInt64
    /// The head-end.
    public var originator: SystemTitle
    /// The gateway.
    public var recipient: SystemTitle
    public var signedAt: COSEMDateTime
    /// Names the head-end's certificate; a gateway looks it up by serial in the Central Directory.
    public private(set) var certificateInfo: CertificateInfo
    public var acknowledgement: Acknowledgement
    public var signature: [UInt8]
    /// certificate_info's DER, kept as received (it re-encodes to the same bytes; see `CertificateInfo`).
    private var certificateInfoDER: [UInt8]

    public init(
        transactionID: UInt64, originator: SystemTitle, recipient: SystemTitle, signedAt: COSEMDateTime,
        certificateInfo: CertificateInfo, acknowledgement: Acknowledgement, signature: [UInt8] = []
    ) throws(AcknowledgementError) {
        do {
            certificateInfoDER = try certificateInfo.derEncoded
        } catch {
            throw .certificateInfo(error)
        }
        self.transactionID = transactionID
        self.originator = originator
        self.recipient = recipient
        self.signedAt = signedAt
        self.certificateInfo = certificateInfo
        self.acknowledgement = acknowledgement
        self.signature = signature
    }

    /// The general-signing APDU.
    public var frame: GeneralSigning {
        GeneralSigning(
            transactionID: (0..<8).reversed().map { UInt8(truncatingIfNeeded: transactionID >> ($0 * 8)) },
            originatorSystemTitle: originator.bytes, recipientSystemTitle: recipient.bytes, dateTime: signedAt,
            otherInformation: certificateInfoDER,
            content: acknowledgement.dataNotification(headEndTransactionID: transactionID).encoded, signature: signature
        )
    }

    public var encoded: [UInt8] { frame.encoded }

    /// The bytes the signature covers (see `GeneralSigning.signedBytes`).
    public func signedBytes(_ convention: GeneralSigning.SignedBytesConvention = .a) -> [UInt8] {
        frame.signedBytes(convention)
    }

    /// Decodes exactly one signed acknowledgement; every deviation from the layout above is a typed error.
    public init(decoding bytes: [UInt8]) throws(AcknowledgementError) {
        let fields: SignedFrameFields
        do {
            fields = try SignedFrameFields(decoding: bytes, maxFrameSize: Self.maxFrameSize, maxSignatureSize: Self.maxSignatureSize)
        } catch {
            switch error {
            case .oversized(let length): throw .oversized(length: length, limit: Self.maxFrameSize)
            case .notGeneralSigning(let error): throw .notGeneralSigning(error)
            case .transactionIDLength(let length): throw .transactionIDLength(length)
            case .systemTitleLength(let field, let length): throw .systemTitleLength(role: field, length: length)
            case .missingSigningTime: throw .missingSigningTime
            case .certificateInfo(let error): throw .certificateInfo(error)
            case .signatureLength(let length): throw .signatureLength(length)
            }
        }
        let id = fields.transactionID
        let (acknowledgement, invokeID) = try Acknowledgement.decode(dataNotification: fields.frame.content)
        guard invokeID == UInt32(truncatingIfNeeded: id) & 0x00FF_FFFF else {
            throw .invokeIDMismatch(invokeID: invokeID, transactionID: id)
        }
        transactionID = id
        originator = fields.originator
        recipient = fields.recipient
        signedAt = fields.signedAt
        certificateInfo = fields.certificateInfo
        certificateInfoDER = fields.frame.otherInformation
        self.acknowledgement = acknowledgement
        signature = fields.frame.signature
    }

    /// Signs `acknowledgement` with no check of the key, certificate or system title: the primitive under
    /// `AcknowledgementSigner`, and how tests make acknowledgements a gateway must refuse (another key, another
    /// head-end, the gateway's own key).
    public static func sign(
        _ acknowledgement: Acknowledgement, transactionID: UInt64, signer: any Signer, certificate: Certificate,
        originator: SystemTitle, recipient: SystemTitle, convention: GeneralSigning.SignedBytesConvention = .a,
        at time: Date = Date()
    ) async throws -> SignedAcknowledgement {
        var signed = try SignedAcknowledgement(
            transactionID: transactionID, originator: originator, recipient: recipient,
            signedAt: MeasurementRecord.dateTime(time), certificateInfo: CertificateInfo(certificate),
            acknowledgement: acknowledgement
        )
        signed.signature = try await signer.sign(signed.signedBytes(convention), scheme: SignedRecord.scheme(for: signer.algorithm)).bytes
        return signed
    }
}
