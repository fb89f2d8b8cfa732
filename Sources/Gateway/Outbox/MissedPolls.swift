import Foundation

/// Polls the gateway could not store at all (the disk full, the outbox unwritable): they have no id and no row, so
/// the poller counts them and hands them to the next `Outbox.take` that succeeds, which records them as a gap
/// before that reading (`OutboxGap`) and lets its record carry the count to the head-end.
public struct MissedPolls: Sendable, Hashable {
    public var count: UInt64
    public var firstMeasuredAt: Date
    public var lastMeasuredAt: Date

    public init(count: UInt64, firstMeasuredAt: Date, lastMeasuredAt: Date) {
        self.count = count
        self.firstMeasuredAt = firstMeasuredAt
        self.lastMeasuredAt = lastMeasuredAt
    }

    /// One more poll missed at `time`.
    public mutating func add(at time: Date) {
        count += 1
        firstMeasuredAt = min(firstMeasuredAt, time)
        lastMeasuredAt = max(lastMeasuredAt, time)
    }
}
