import COSEM
import Foundation
import PKI
import Signing
import X509

/// Signing a record: a general-signing APDU around the record's data-notification, from the gateway (originator)
/// to the head-end (recipient), with the transaction id, the signing time, and `certificate_info` naming the
/// certificate that verifies it.
///
/// ECDSA P-256 with SHA-256 (DLMS security suite 1) and P-384 with SHA-384 (suite 2) give raw r‖s of 64 and 96
/// bytes; RSA keys sign RSA-PSS with SHA-256, a documented extension outside the DLMS suites. What the signature
/// covers follows convention A by default (content length prefix included), B when the peer needs it.
public enum SignedRecord {
    public static func scheme(for algorithm: KeyAlgorithm) -> SignatureScheme {
        switch algorithm {
        case .ecdsa(let curve): .ecdsa(curve.matchingHash)
        case .rsa: .rsaPSS(.sha256)
        }
    }

    /// Signs `record` with no check of what it is signed with: the primitive under `RecordSigner`, and how tests
    /// make frames a verifier must refuse (another originator, a TLS certificate).
    public static func sign(
        _ record: MeasurementRecord, transactionID: UInt64, signer: any Signer, certificate: Certificate,
        originator: SystemTitle, recipient: SystemTitle, convention: GeneralSigning.SignedBytesConvention = .a,
        at time: Date = Date()
    ) async throws -> GeneralSigning {
        try await sign(record, transactionID: transactionID, signer: signer, certificateInfo: try CertificateInfo(certificate).derEncoded,
                       originator: originator, recipient: recipient, convention: convention, at: time)
    }

    static func sign(
        _ record: MeasurementRecord, transactionID: UInt64, signer: any Signer, certificateInfo: [UInt8],
        originator: SystemTitle, recipient: SystemTitle, convention: GeneralSigning.SignedBytesConvention, at time: Date
    ) async throws -> GeneralSigning {
        var frame = unsigned(record.encodedDataNotification(transactionID: transactionID), transactionID: transactionID,
                             certificateInfo: certificateInfo, originator: originator, recipient: recipient, at: time)
        frame.signature = try await signer.sign(frame.signedBytes(convention), scheme: scheme(for: signer.algorithm)).bytes
        return frame
    }

    /// The frame around a data-notification, before its signature.
    static func unsigned(_ content: [UInt8], transactionID: UInt64, certificateInfo: [UInt8], originator: SystemTitle,
                         recipient: SystemTitle, at time: Date) -> GeneralSigning {
        GeneralSigning(
            transactionID: (0..<8).reversed().map { UInt8(truncatingIfNeeded: transactionID >> ($0 * 8)) },
            originatorSystemTitle: originator.bytes, recipientSystemTitle: recipient.bytes,
            dateTime: MeasurementRecord.dateTime(time), otherInformation: certificateInfo, content: content
        )
    }

    /// The 64-bit transaction id of a frame (8 bytes, big-endian).
    public static func transactionID(of frame: GeneralSigning) -> UInt64? {
        guard frame.transactionID.count == 8 else { return nil }
        return frame.transactionID.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
