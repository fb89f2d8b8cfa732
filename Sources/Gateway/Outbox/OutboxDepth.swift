import Foundation

/// What the outbox holds, for the gateway's status, log and metrics: readings waiting for the token, frames
/// waiting for the head-end, how close that is to the limit, and how many readings a full outbox has refused.
public struct OutboxDepth: Sendable, Hashable {
    /// Readings stored without a signature (the token was busy or absent).
    public var unsigned: Int
    /// Signed frames not yet acknowledged.
    public var signed: Int
    /// The configured limit on `total`.
    public var limit: Int
    /// Readings refused because the outbox was full, since the outbox was made; never reset, so a metric over it
    /// only grows.
    public var refused: UInt64
    /// When the oldest reading still held was measured: how far behind the head-end is.
    public var oldestMeasuredAt: Date?

    public init(unsigned: Int, signed: Int, limit: Int, refused: UInt64, oldestMeasuredAt: Date?) {
        self.unsigned = unsigned
        self.signed = signed
        self.limit = limit
        self.refused = refused
        self.oldestMeasuredAt = oldestMeasuredAt
    }

    public var total: Int { unsigned + signed }
    public var isFull: Bool { total >= limit }
}
