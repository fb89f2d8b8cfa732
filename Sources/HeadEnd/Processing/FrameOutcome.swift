import COSEM
import Foundation
import Metering
import UplinkProtocol

/// What became of one frame from a gateway: the verdict, what was stored, and the signed acknowledgement to send
/// back. `line` is what the `headend` daemon prints on standard output for it.
public struct FrameOutcome: Sendable {
    public enum Verdict: Sendable, Hashable {
        /// Verified and stored; `missing` is the gap this id jumped, if any.
        case stored(missing: ClosedRange<UInt64>?)
        /// Verified and stored before: acknowledged again, not stored.
        case duplicate
        case refused(Refusal)
    }

    /// The TLS peer that sent the frame.
    public var gateway: SystemTitle
    /// The frame's transaction id, when it was readable that far.
    public var transactionID: UInt64?
    public var verdict: Verdict
    public var verification: RecordVerification
    /// How long `RecordVerifier` took (directory lookup, signature, chain and revocation).
    public var verificationTime: Duration
    public var acknowledgement: Acknowledgement
    /// The signed acknowledgement's bytes (a general-signing APDU, without the wrapper).
    public var signedAcknowledgement: [UInt8]

    /// `verified 00DB1234567890A0 #42 P=1234.5 W U1=230.3 V E+=1234567.5 Wh signature ok (verify 1.2 ms)`,
    /// `refused 00DB1234567890A0 #42 signature: ...`, `duplicate 00DB1234567890A0 #42 acknowledged again`.
    public var line: String {
        let id = transactionID.map { "#\($0)" } ?? "#?"
        switch verdict {
        case .stored:
            let values = verification.record.map { ReadingValues.summary($0) } ?? ""
            return "verified \(gateway) \(id) \(values) signature ok (verify \(Self.milliseconds(verificationTime)) ms)"
        case .duplicate:
            return "duplicate \(gateway) \(id) acknowledged again"
        case .refused(let refusal):
            return "refused \(gateway) \(id) \(refusal.reason): \(refusal.text)"
        }
    }

    static func milliseconds(_ duration: Duration) -> String {
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return ReadingValues.format(ms)
    }
}
