import COSEM
import Foundation

/// One verified reading as the head-end keeps it: who sent it and when, what the verification said, and the exact
/// signed frame with the signer's certificate, so evidence for a third party can be exported from the store alone
/// (`SignedMeasurementEvidence`) long after the directory stopped serving that certificate.
public struct StoredReading: Sendable, Hashable {
    public var gateway: SystemTitle
    public var transactionID: UInt64
    /// The record's measurement time.
    public var measuredAt: Date
    public var receivedAt: Date
    /// The signer certificate's serial, in `CertificateSerial`'s text form.
    public var signerSerial: String
    /// The verification's one-line verdict (every check passed, with the certificate named).
    public var verdict: String
    /// The general-signing APDU exactly as received.
    public var frame: [UInt8]
    /// The DER of the certificate that verified it.
    public var certificate: [UInt8]
    /// Which bytes the signature covers (the head-end's `signed_bytes` when it verified the frame).
    public var convention: GeneralSigning.SignedBytesConvention

    public init(gateway: SystemTitle, transactionID: UInt64, measuredAt: Date, receivedAt: Date, signerSerial: String,
                verdict: String, frame: [UInt8], certificate: [UInt8], convention: GeneralSigning.SignedBytesConvention = .a) {
        self.gateway = gateway
        self.transactionID = transactionID
        self.measuredAt = measuredAt
        self.receivedAt = receivedAt
        self.signerSerial = signerSerial
        self.verdict = verdict
        self.frame = frame
        self.certificate = certificate
        self.convention = convention
    }
}
