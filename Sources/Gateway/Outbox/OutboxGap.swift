import Foundation

/// A run of readings the outbox refused because it was full: the record that turns a loss into a known gap.
///
/// A refused reading gets no transaction id (ids name stored readings only, so they stay contiguous and an id
/// missing at the head-end means a frame lost on the way, never a reading refused here). The run sits between the
/// reading `afterTransactionID` and the next one taken; it grows while the outbox stays full and ends with the
/// next reading stored.
public struct OutboxGap: Sendable, Hashable {
    /// The last transaction id taken before the run (0 when none was).
    public var afterTransactionID: UInt64
    public var firstMeasuredAt: Date
    public var lastMeasuredAt: Date
    public var count: UInt64

    public init(afterTransactionID: UInt64, firstMeasuredAt: Date, lastMeasuredAt: Date, count: UInt64) {
        self.afterTransactionID = afterTransactionID
        self.firstMeasuredAt = firstMeasuredAt
        self.lastMeasuredAt = lastMeasuredAt
        self.count = count
    }
}
