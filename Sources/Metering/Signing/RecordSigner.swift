import COSEM
import Foundation
import PKI
import Signing
import X509

/// Signs a gateway's records: its key, the certificate that verifies it, its system title and the head-end's.
/// What would make every frame fail at the receiver is refused once, when the signer is made (a certificate of
/// another key, a certificate for another system title, one that is not a signing certificate), and the
/// `certificate_info` every frame carries is encoded once too.
public struct RecordSigner: Sendable {
    public let signer: any Signer
    public let certificate: Certificate
    public let originator: SystemTitle
    public let recipient: SystemTitle
    public let convention: GeneralSigning.SignedBytesConvention
    let certificateInfo: [UInt8]

    public init(
        signer: any Signer, certificate: Certificate, originator: SystemTitle, recipient: SystemTitle,
        convention: GeneralSigning.SignedBytesConvention = .a
    ) throws(SigningIdentityError) {
        let identity = try SigningIdentity(signer: signer, certificate: certificate, systemTitle: originator, role: "records")
        self.signer = signer
        self.certificate = certificate
        self.originator = originator
        self.recipient = recipient
        self.convention = convention
        certificateInfo = identity.certificateInfoDER
    }

    /// The general-signing frame of `record`: the signature is the token's, made while the caller waits.
    public func sign(_ record: MeasurementRecord, transactionID: UInt64, at time: Date = Date()) async throws -> GeneralSigning {
        try await SignedRecord.sign(record, transactionID: transactionID, signer: signer, certificateInfo: certificateInfo,
                                    originator: originator, recipient: recipient, convention: convention, at: time)
    }

    /// Signs a record's data-notification as the outbox stored it (`UnsignedReading.dataNotification`), byte for
    /// byte, so what is signed is exactly what was made durable, and times the two parts a user asks about: the
    /// encoding (the signed bytes and the frame) and the token's signature.
    public func sign(dataNotification: [UInt8], transactionID: UInt64, at time: Date = Date()) async throws -> TimedFrame {
        let clock = ContinuousClock()
        let started = clock.now
        var frame = SignedRecord.unsigned(dataNotification, transactionID: transactionID, certificateInfo: certificateInfo,
                                          originator: originator, recipient: recipient, at: time)
        let signed = frame.signedBytes(convention)
        let encoded = clock.now
        frame.signature = try await signer.sign(signed, scheme: SignedRecord.scheme(for: signer.algorithm)).bytes
        let signatureDone = clock.now
        let bytes = frame.encoded
        return TimedFrame(bytes: bytes, encode: (encoded - started) + (clock.now - signatureDone), signature: signatureDone - encoded)
    }
}

extension RecordSigner {
    /// Signs several data-notifications with ONE signature of the token (`BatchSignature`): each frame carries its own
    /// proof and verifies alone; one reading is signed exactly as `sign(dataNotification:transactionID:at:)` signs it.
    /// Every frame's `signature` time is the one signature's, which each of them waited for.
    public func sign(batch readings: [(dataNotification: [UInt8], transactionID: UInt64)], at time: Date = Date()) async throws -> [TimedFrame] {
        let clock = ContinuousClock()
        let started = clock.now
        var frames = readings.map { reading in
            SignedRecord.unsigned(reading.dataNotification, transactionID: reading.transactionID, certificateInfo: certificateInfo,
                                  originator: originator, recipient: recipient, at: time)
        }
        let messages = frames.map { $0.signedBytes(convention) }
        let encoded = clock.now
        var signing = Duration.zero
        let fields = try await BatchSignature.fields(for: messages, algorithm: signer.algorithm) { bytes in
            let before = clock.now
            defer { signing = clock.now - before }
            return try await signer.sign(bytes, scheme: SignedRecord.scheme(for: signer.algorithm)).bytes
        }
        let treeAndProofs = clock.now - encoded - signing
        for index in frames.indices { frames[index].signature = fields[index] }
        let finishing = clock.now
        let bytes = frames.map(\.encoded)
        let encodeEach = ((encoded - started) + treeAndProofs + (clock.now - finishing)) / max(1, frames.count)
        return bytes.map { TimedFrame(bytes: $0, encode: encodeEach, signature: signing) }
    }
}

/// A signed frame and what making it took.
public struct TimedFrame: Sendable {
    /// The general-signing APDU.
    public var bytes: [UInt8]
    /// Building the signed bytes and encoding the frame.
    public var encode: Duration
    /// The signer's part, token round trip included.
    public var signature: Duration
}
