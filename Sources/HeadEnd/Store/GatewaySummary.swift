import COSEM

/// What the store holds of one gateway: `headend summary` prints one line of these per gateway.
public struct GatewaySummary: Sendable, Hashable {
    public var gateway: SystemTitle
    public var readings: Int
    public var highestTransactionID: UInt64?
    /// Final refusals kept for this gateway.
    public var refusals: Int
    /// Readings measured further ahead of their receipt than the clock skew allows (`ClockSkew`).
    public var clockAhead: Int

    public init(gateway: SystemTitle, readings: Int, highestTransactionID: UInt64?, refusals: Int, clockAhead: Int = 0) {
        self.gateway = gateway
        self.readings = readings
        self.highestTransactionID = highestTransactionID
        self.refusals = refusals
        self.clockAhead = clockAhead
    }
}
