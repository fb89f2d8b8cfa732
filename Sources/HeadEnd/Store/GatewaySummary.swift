import COSEM

/// What the store holds of one gateway: `headend summary` prints one line of these per gateway.
public struct GatewaySummary: Sendable, Hashable {
    public var gateway: SystemTitle
    public var readings: Int
    public var highestTransactionID: UInt64?
    /// Final refusals kept for this gateway.
    public var refusals: Int
    /// Of those, frames refused as a conflict: a different frame under an id already stored (an emptied or restored
    /// outbox numbering again from an id the head-end holds).
    public var conflicts: Int

    /// Readings measured further ahead of their receipt than the clock skew allows (`ClockSkew`).
    public var clockAhead: Int

    public init(gateway: SystemTitle, readings: Int, highestTransactionID: UInt64?, refusals: Int, conflicts: Int = 0, clockAhead: Int = 0) {
        self.gateway = gateway
        self.readings = readings
        self.highestTransactionID = highestTransactionID
        self.refusals = refusals
        self.conflicts = conflicts
        self.clockAhead = clockAhead
    }
}
