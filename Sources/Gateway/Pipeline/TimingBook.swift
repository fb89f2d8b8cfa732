import Metrics
import Synchronization

/// The stage times of the readings in flight through this process, completed as each stage reports, and handed
/// out once a reading is delivered: then they go to the `gateway_stage_seconds{stage}` histograms and into the
/// window the periodic summary line reports (p50 and p99 per stage).
///
/// A reading the outbox held before a restart has no entry; its later stages are still timed and reported.
public final class TimingBook: Sendable {
    private struct State {
        var readings: [UInt64: StageTimes] = [:]
        var polledAt: [UInt64: ContinuousClock.Instant] = [:]
        var window: [StageTimes.Stage: [Duration]] = [:]
        var delivered = 0
    }
    private let state = Mutex(State())
    private let timers: [StageTimes.Stage: Metrics.Timer]

    public init() {
        var timers: [StageTimes.Stage: Metrics.Timer] = [:]
        for stage in StageTimes.Stage.allCases {
            timers[stage] = Metrics.Timer(label: "gateway_stage_seconds", dimensions: [("stage", stage.rawValue)],
                                          preferredDisplayUnit: .seconds)
        }
        self.timers = timers
    }

    /// Adds what a stage measured for reading `id`.
    public func update(_ id: UInt64, _ change: (inout StageTimes) -> Void) {
        state.withLock { change(&$0.readings[id, default: StageTimes()]) }
    }

    /// When the poll that took reading `id` started: its end-to-end time is measured from there.
    public func polled(_ id: UInt64, at instant: ContinuousClock.Instant) {
        state.withLock { $0.polledAt[id] = instant }
    }

    /// The reading was acknowledged: its times leave the book, go to the histograms and the summary window.
    @discardableResult
    public func delivered(_ id: UInt64) -> StageTimes {
        let now = ContinuousClock.now
        let times = state.withLock { state in
            var times = state.readings.removeValue(forKey: id) ?? StageTimes()
            if let polled = state.polledAt.removeValue(forKey: id) { times.endToEnd = now - polled }
            state.delivered += 1
            for (stage, duration) in times.named { if let duration { state.window[stage, default: []].append(duration) } }
            return times
        }
        for (stage, duration) in times.named { if let duration { timers[stage]?.record(duration: duration) } }
        return times
    }

    /// Forgets a reading that will not be delivered (refused for good).
    public func discard(_ id: UInt64) {
        state.withLock {
            $0.readings.removeValue(forKey: id)
            $0.polledAt.removeValue(forKey: id)
        }
    }

    /// The readings delivered since the last summary and their stages' p50 and p99; starts a new window.
    public func summary() -> TimingSummary {
        let (window, delivered) = state.withLock { state in
            defer { state.window = [:]; state.delivered = 0 }
            return (state.window, state.delivered)
        }
        var stages: [(StageTimes.Stage, p50: Duration, p99: Duration)] = []
        for stage in StageTimes.Stage.allCases {
            guard let values = window[stage]?.sorted(), !values.isEmpty else { continue }
            stages.append((stage, values[(values.count - 1) / 2], values[min(values.count - 1, values.count * 99 / 100)]))
        }
        return TimingSummary(delivered: delivered, stages: stages)
    }
}

/// One summary line's figures.
public struct TimingSummary: Sendable, CustomStringConvertible {
    public var delivered: Int
    public var stages: [(StageTimes.Stage, p50: Duration, p99: Duration)]

    public var description: String {
        let parts = stages.map { "\($0.0.rawValue) p50 \($0.p50.milliseconds) ms p99 \($0.p99.milliseconds) ms" }
        return "\(delivered) readings delivered" + (parts.isEmpty ? "" : "; " + parts.joined(separator: ", "))
    }
}
