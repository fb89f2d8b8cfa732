import Foundation

/// A signed general-signing frame in the outbox, not yet acknowledged: what the uplink sends, and sends again after
/// a reconnect, until `Outbox.markDelivered` removes it.
public struct PendingFrame: Sendable, Hashable {
    public let transactionID: UInt64
    public let measuredAt: Date
    /// The encoded general-signing APDU, as it goes on the wire.
    public let frame: [UInt8]

    public init(transactionID: UInt64, measuredAt: Date, frame: [UInt8]) {
        self.transactionID = transactionID
        self.measuredAt = measuredAt
        self.frame = frame
    }
}
