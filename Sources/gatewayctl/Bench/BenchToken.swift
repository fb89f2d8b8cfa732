import ArgumentParser
import Dispatch
import Modbus
import PKCS11
import Signing

struct BenchToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Signatures per second and latency through the token wrapper, against a raw C_Sign loop and software.",
        discussion: "Goal: single-session throughput through the wrapper at least 90 % of the raw C_Sign loop on the same key."
    )

    @OptionGroup var options: TokenOptions

    @Argument(help: "URI of the private key to sign with.")
    var uri: String

    @Option(help: "Seconds per stage.")
    var seconds: Double = 3

    @Option(help: "Sessions (and concurrent callers) for the parallel stage.")
    var sessions: Int = 2

    func run() async throws {
        guard seconds > 0, sessions > 0 else { throw CLIError("--seconds and --sessions must be positive") }
        let uri = try PKCS11URI(argument: uri)
        let duration = Duration.milliseconds(Int(seconds * 1000))
        let message = Array("a PAC3200 reading of about the size a measurement record has".utf8)

        let single = try await options.openToken(uri, sessions: 1)
        let key = try await single.key(uri)
        let scheme = key.algorithm.defaultScheme
        let digest = scheme.hash.digest(message)
        _ = try await key.sign(message)  // log in and warm up before any clock runs

        print("key \(key.uri) (\(key.algorithm), \(scheme)), \(seconds) s per stage")
        var results: [(String, Stage)] = []

        let raw = try await onOwnThread { try key.rawSignLoop(digest: digest, duration: duration) }
        results.append(("raw C_Sign loop, 1 session", Stage(latencies: raw, elapsed: duration)))

        results.append(("wrapper, 1 session, 1 caller", try await measure(duration: duration, callers: 1) {
            _ = try await key.sign(message)
        }))
        results.append(("wrapper, 1 session, 2 callers", try await measure(duration: duration, callers: 2) {
            _ = try await key.sign(message)
        }))
        results.append(("wrapper, 1 session, caller on token thread", try await single.withTokenThread {
            try await measure(duration: duration, callers: 1) { _ = try await key.sign(message) }
        }))
        await single.close()

        let parallel = try await options.openToken(uri, sessions: sessions)
        let parallelKey = try await parallel.key(uri)
        results.append(("wrapper, \(sessions) sessions, \(sessions) callers", try await measure(duration: duration, callers: sessions) {
            _ = try await parallelKey.sign(message)
        }))
        await parallel.close()

        let software = try SoftwareSigner(generating: key.algorithm)
        let softwareLatencies = try await onOwnThread {
            let clock = ContinuousClock()
            let end = clock.now + duration
            var latencies: [Duration] = []
            while clock.now < end {
                let start = clock.now
                _ = try software.signNow(message, scheme: scheme)
                latencies.append(clock.now - start)
            }
            return latencies
        }
        results.append(("software (swift-crypto), 1 thread", Stage(latencies: softwareLatencies, elapsed: duration)))

        let baseline = results[0].1.perSecond
        printTable(
            header: ["stage", "sig/s", "p50 ms", "p99 ms", "vs raw"],
            rows: results.map { name, stage in
                [name, format(stage.perSecond, 0), format(stage.percentile(0.5), 3), format(stage.percentile(0.99), 3),
                 format(100 * stage.perSecond / baseline, 0) + " %"]
            }
        )
        // One session's throughput is what it signs when it is kept busy (two callers); one caller alone also
        // waits for two thread wake-ups per signature, which the first row shows as latency.
        let ratio = results[1...3].map(\.1.perSecond).max()! / baseline
        print("goal: one session through the wrapper >= 90 % of the raw loop: \(format(100 * ratio, 1)) %, \(ratio >= 0.9 ? "met" : "NOT met")")
    }
}

/// Latencies of one stage and the throughput they add up to.
struct Stage {
    var latencies: [Duration]
    var elapsed: Duration

    var perSecond: Double { Double(latencies.count) / elapsed.seconds }

    /// Milliseconds at quantile `q`.
    func percentile(_ q: Double) -> Double {
        guard !latencies.isEmpty else { return .nan }
        let sorted = latencies.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))].seconds * 1000
    }
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}

/// Runs `callers` concurrent loops of `operation` for `duration` and collects every call's latency.
func measure(duration: Duration, callers: Int, _ operation: @escaping @Sendable () async throws -> Void) async throws -> Stage {
    let clock = ContinuousClock()
    let start = clock.now
    let end = start + duration
    let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
        for _ in 0..<callers {
            group.addTask {
                var latencies: [Duration] = []
                while clock.now < end {
                    let begin = clock.now
                    try await operation()
                    latencies.append(clock.now - begin)
                }
                return latencies
            }
        }
        return try await group.reduce(into: []) { $0 += $1 }
    }
    return Stage(latencies: latencies, elapsed: clock.now - start)
}

/// Runs blocking work on a thread of its own, so no cooperative or event-loop thread waits on it.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// Figures in benchmark tables.
func format(_ value: Double, _ decimals: Int) -> String { ValueFormat.fixed(value, decimals: decimals) }

