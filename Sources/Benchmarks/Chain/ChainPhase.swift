import Gateway

/// One phase of the chain bench: the readings gatewayd delivered in it, stage by stage, and its memory.
public struct ChainPhase: Sendable {
    /// Each stage's times, by `StageTimes.Stage` name.
    public var stages: [String: LatencySummary] = [:]
    public var readings = 0
    public var elapsed: Duration
    /// gatewayd's largest resident set size seen in the phase, in MiB.
    public var gatewayRSS: Double

    /// - Parameter records: the stage-times records of the phase; only readings count.
    public init(records: some Sequence<StageTimesRecord>, elapsed: Duration, gatewayRSS: Double) {
        self.elapsed = elapsed
        self.gatewayRSS = gatewayRSS
        for record in records where record.kind == .reading {
            readings += 1
            for (stage, nanoseconds) in record.nanoseconds { stages[stage, default: LatencySummary()].record(.nanoseconds(nanoseconds)) }
        }
    }

    /// Readings delivered per second end to end.
    public var perSecond: Double { elapsed > .zero ? Double(readings) / elapsed.seconds : 0 }

    /// Milliseconds of `stage` at quantile `share`; NaN when no reading had it.
    public func milliseconds(_ stage: StageTimes.Stage, at share: Double) -> Double {
        stages[stage.rawValue]?.milliseconds(at: share) ?? .nan
    }
}
