import Foundation

/// The head-end's rule for measurement times it cannot believe: a reading measured more than `maxClockSkew` after
/// the head-end received it was measured by a clock that runs ahead (a reading cannot come from the future). Such a
/// reading is still stored, since it is signed evidence of what the meter said, but flagged and counted.
///
/// Only times ahead are flagged: a reading measured long before it arrived is a backlog (the uplink was down), not
/// a wrong clock, and the head-end cannot tell the two apart from the time alone.
public enum ClockSkew {
    /// `readings.max_clock_skew` when the configuration does not set it.
    public static let defaultMaximum: Duration = .seconds(300)

    /// How far ahead of `receivedAt` a reading measured at `measuredAt` is, when that is more than `maximum`; nil
    /// for a time within it.
    public static func ahead(measuredAt: Date, receivedAt: Date, maximum: Duration) -> TimeInterval? {
        let ahead = measuredAt.timeIntervalSince(receivedAt)
        return ahead > seconds(maximum) ? ahead : nil
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18
    }
}
