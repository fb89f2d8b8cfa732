import PKCS11
import Signing

/// `gatewayctl bench token`: signatures per second and latency through the token wrapper, against a raw C_Sign loop
/// on the same key and swift-crypto in software. Goal: one session through the wrapper at least 90 % of the raw loop.
public struct TokenBench: Sendable {
    public var uri: PKCS11URI
    public var duration: Duration
    public var sessions: Int
    /// Opens the token `uri` names with at most that many sessions (the command line's module choice).
    public var openToken: @Sendable (PKCS11URI, Int) async throws -> Token

    public init(uri: PKCS11URI, seconds: Double, sessions: Int, openToken: @escaping @Sendable (PKCS11URI, Int) async throws -> Token) throws(BenchError) {
        guard seconds > 0, sessions > 0 else { throw BenchError("--seconds and --sessions must be positive") }
        self.uri = uri
        self.duration = .milliseconds(Int(seconds * 1000))
        self.sessions = sessions
        self.openToken = openToken
    }

    static let message = Array("a PAC3200 reading of about the size a measurement record has".utf8)

    public func run() async throws -> TokenReport {
        let message = Self.message
        let single = try await openToken(uri, 1)
        let key = try await single.key(uri)
        let scheme = key.algorithm.defaultScheme
        let digest = scheme.hash.digest(message)
        _ = try await key.sign(message)  // log in and warm up before any clock runs

        var report = TokenReport(key: "key \(key.uri) (\(key.algorithm), \(scheme)), \(duration.seconds) s per stage")
        let raw = try await Sampling.onOwnThread { [duration] in try key.rawSignLoop(digest: digest, duration: duration) }
        report.stages.append(("raw C_Sign loop, 1 session", LatencySummary(raw, elapsed: duration)))
        report.stages.append(("wrapper, 1 session, 1 caller", try await Sampling.measure(duration: duration, callers: 1) {
            _ = try await key.sign(message)
        }))
        report.stages.append(("wrapper, 1 session, 2 callers", try await Sampling.measure(duration: duration, callers: 2) {
            _ = try await key.sign(message)
        }))
        report.stages.append(("wrapper, 1 session, caller on token thread", try await single.withTokenThread { [duration] in
            try await Sampling.measure(duration: duration, callers: 1) { _ = try await key.sign(message) }
        }))
        await single.close()

        let parallel = try await openToken(uri, sessions)
        let parallelKey = try await parallel.key(uri)
        report.stages.append(("wrapper, \(sessions) sessions, \(sessions) callers", try await Sampling.measure(duration: duration, callers: sessions) {
            _ = try await parallelKey.sign(message)
        }))
        await parallel.close()

        let software = try SoftwareSigner(generating: key.algorithm)
        let softwareStage = try await Sampling.onOwnThread { [duration] in
            try Sampling.loop(duration: duration, batch: 1) { _ = try software.signNow(message, scheme: scheme) }
        }
        report.stages.append(("software (swift-crypto), 1 thread", softwareStage))
        return report
    }
}

/// What `TokenBench` measured, stage by stage, the raw loop first.
public struct TokenReport: Sendable, CustomStringConvertible {
    public var key: String
    public var stages: [(name: String, latencies: LatencySummary)] = []

    /// One session's throughput is what it signs when it is kept busy (two callers, or one on the token's thread);
    /// one caller alone also waits for two thread wake-ups per signature, which its row shows as latency.
    public var wrapperShare: Double {
        guard stages.count >= 4 else { return .nan }
        return stages[1...3].map(\.latencies.perSecond).max()! / stages[0].latencies.perSecond
    }

    public var description: String {
        let baseline = stages.first?.latencies.perSecond ?? .nan
        let table = TextTable(
            header: ["stage", "sig/s", "p50 ms", "p99 ms", "vs raw"],
            rows: stages.map { name, stage in
                [name, format(stage.perSecond, 0), format(stage.milliseconds(at: 0.5), 3), format(stage.milliseconds(at: 0.99), 3),
                 format(100 * stage.perSecond / baseline, 0) + " %"]
            }
        )
        let share = wrapperShare
        return [key, table.description,
                "goal: one session through the wrapper >= 90 % of the raw loop: \(format(100 * share, 1)) %, \(share >= 0.9 ? "met" : "NOT met")"]
            .joined(separator: "\n")
    }
}
