import Dispatch

/// How the benches sample a stage: loops that run until a deadline and time each call.
enum Sampling {
    /// Runs `callers` concurrent loops of `operation` for `duration` and records every call's latency.
    static func measure(duration: Duration, callers: Int, _ operation: @escaping @Sendable () async throws -> Void) async throws -> LatencySummary {
        let clock = ContinuousClock()
        let start = clock.now
        let end = start + duration
        var summary = try await withThrowingTaskGroup(of: LatencySummary.self) { group in
            for _ in 0..<callers {
                group.addTask {
                    var latencies = LatencySummary()
                    while clock.now < end {
                        let begin = clock.now
                        try await operation()
                        latencies.record(clock.now - begin)
                    }
                    return latencies
                }
            }
            return try await group.reduce(into: LatencySummary()) { $0.add($1) }
        }
        summary.elapsed = clock.now - start
        return summary
    }

    /// Runs `body` repeatedly for `duration` on the calling task, `batch` calls per clock reading: for calls of a few
    /// microseconds, where reading the clock around each would weigh in what is measured. Each call counts as its
    /// batch's mean.
    static func loop(duration: Duration, batch: Int = 100, _ body: () throws -> Void) rethrows -> LatencySummary {
        let clock = ContinuousClock()
        let start = clock.now
        var latencies = LatencySummary()
        while clock.now - start < duration {
            let begin = clock.now
            for _ in 0..<batch { try body() }
            latencies.record((clock.now - begin) / batch, count: UInt64(batch))
        }
        latencies.elapsed = clock.now - start
        return latencies
    }

    /// Runs `body` for `duration` on the calling task with the indices 0, 1, …, `count` - 1, 0, … of prepared
    /// inputs, and times each call.
    static func cycling(_ count: Int, duration: Duration, _ body: (Int) async throws -> Void) async rethrows -> LatencySummary {
        let clock = ContinuousClock()
        let start = clock.now
        var latencies = LatencySummary()
        var index = 0
        while clock.now - start < duration {
            let begin = clock.now
            try await body(index)
            latencies.record(clock.now - begin)
            index = (index + 1) % max(1, count)
        }
        latencies.elapsed = clock.now - start
        return latencies
    }

    /// The calls of `body` per second for `duration`, one after another.
    static func rate(duration: Duration, _ body: () async throws -> Void) async rethrows -> Double {
        let clock = ContinuousClock()
        let started = clock.now
        var count = 0
        while clock.now - started < duration {
            try await body()
            count += 1
        }
        return Double(count) / (clock.now - started).seconds
    }

    /// Runs blocking work on a thread of its own, so no cooperative or event-loop thread waits on it.
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }
}
