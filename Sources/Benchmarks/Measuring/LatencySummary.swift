import Histogram

/// The latencies of one measured stage, in an HdrHistogram, and the wall time they were taken in.
///
/// The histogram keeps three significant digits (nanoseconds: 1 µs apart around 1 ms, 1 ms around 1 s) in a few
/// kilobytes whatever the count, so a stage run for minutes at a million calls a second costs no more memory than one
/// run for a second, and every percentile comes from one tested implementation instead of a sort and an index.
public struct LatencySummary: Sendable {
    private var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
    /// The wall time the latencies were taken in, for the throughput; zero where only their distribution counts.
    public var elapsed: Duration

    public init(elapsed: Duration = .zero) {
        self.elapsed = elapsed
    }

    public init(_ latencies: some Sequence<Duration>, elapsed: Duration = .zero) {
        self.init(elapsed: elapsed)
        for latency in latencies { record(latency) }
    }

    /// Adds `count` calls that each took `latency` (a negative one counts as zero).
    public mutating func record(_ latency: Duration, count: UInt64 = 1) {
        histogram.record(UInt64(max(0, latency.nanoseconds)), count: count)
    }

    /// Adds what `other` recorded; the elapsed time stays this one's.
    public mutating func add(_ other: LatencySummary) {
        histogram.add(other.histogram)
    }

    public var count: Int { Int(histogram.totalCount) }

    /// Calls per second of wall time; zero without an elapsed time.
    public var perSecond: Double { elapsed > .zero ? Double(count) / elapsed.seconds : 0 }

    /// Milliseconds at quantile `share` (0.5 the median, 0.99, 1 the largest); NaN when nothing was recorded, which
    /// `ValueFormat.fixed` prints as "-".
    public func milliseconds(at share: Double) -> Double {
        guard count > 0 else { return .nan }
        return Double(histogram.valueAtPercentile(share * 100)) / 1e6
    }
}

extension Duration {
    /// The duration in seconds, as a `Double` for rates.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// The duration in milliseconds.
    var milliseconds: Double { seconds * 1000 }

    /// Whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (seconds < 0 ? .min : .max) : whole.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
