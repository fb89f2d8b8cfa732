import Foundation
import Modbus
import PAC3200Simulator

/// `gatewayctl bench chain`: the whole chain on loopback (an in-process simulated PAC3200, `headend` and `gatewayd`
/// as processes, keys on their tokens), measured from gatewayd's own per-reading stage times (its `--stage-times`
/// file). Two phases in one run: polling back to back, for throughput against the slowest stage's own rate, and one
/// reading a second, for end-to-end latency against what a reading cannot avoid (a Modbus round trip and a token
/// signature); then signed requests one at a time.
public struct ChainBench: Sendable {
    /// Where `headend` and `gatewayd` are (beside gatewayctl).
    public var binaries: URL
    public var gatewayConfig: String
    public var headEndConfig: String
    public var seconds: Double
    public var pacedSeconds: Double
    public var stageSeconds: Double
    /// Only the phase at one reading a second: for a slow signer (a card), where polling back to back would pile up
    /// a backlog that takes minutes to sign and the stages alone say nothing new.
    public var pacedOnly: Bool
    public var requestCount: Int

    public init(binaries: URL, gatewayConfig: String, headEndConfig: String, seconds: Double, pacedSeconds: Double,
                stageSeconds: Double, pacedOnly: Bool, requestCount: Int) {
        self.binaries = binaries
        self.gatewayConfig = gatewayConfig
        self.headEndConfig = headEndConfig
        self.seconds = seconds
        self.pacedSeconds = pacedSeconds
        self.stageSeconds = stageSeconds
        self.pacedOnly = pacedOnly
        self.requestCount = requestCount
    }

    /// Runs the phases; `progress` hears each as it starts.
    public func run(progress: @Sendable (String) -> Void) async throws -> ChainReport {
        var options = SimulatorOptions(map: try RegisterMap.builtInPAC3200())
        options.port = 0
        let simulator = try PAC3200Simulator(options: options)
        let meterPort = try simulator.start()
        defer { simulator.stop() }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("bench-chain-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let gateway = GatewayRun(executable: binaries.appendingPathComponent("gatewayd").path, work: work,
                                 arguments: ["--config", gatewayConfig, "--meter", "127.0.0.1:\(meterPort)", "--log-level", "warning",
                                             "--outbox", work.appendingPathComponent("outbox.sqlite").path])

        var alone: ChainStagesAlone?
        if !pacedOnly {
            progress("each stage alone, \(Int(stageSeconds)) s each ...")
            alone = try await ChainStagesAlone.measure(gatewayConfig: gatewayConfig, meterPort: meterPort, scratch: work, duration: .seconds(stageSeconds))
        }
        // The bench names the control socket itself, so it never reads it out of headend's lines.
        let control = work.appendingPathComponent("bench-control.sock").path
        let headEndArguments = ["--config", headEndConfig, "--store", work.appendingPathComponent("readings.sqlite").path, "--log-level", "warning",
                                "--control-socket", control]
        return try await BenchProcess.run(binaries.appendingPathComponent("headend").path, headEndArguments) { headEnd in
            try await headEnd.line(containing: "listening on")
            if pacedOnly {
                progress("one reading a second for \(pacedSeconds) s ...")
                return ChainReport(paced: try await gateway.phase("paced", pollInterval: "1s", seconds: pacedSeconds))
            }
            progress("phase 1: polling back to back for \(seconds) s ...")
            let fast = try await gateway.phase("fast", pollInterval: "0s", seconds: seconds)
            progress("phase 2: one reading a second for \(pacedSeconds) s ...")
            let paced = try await gateway.phase("paced", pollInterval: "1s", seconds: pacedSeconds)
            let headEndRSS = headEnd.residentMiB
            progress("phase 3: \(requestCount) signed requests, one at a time, at one reading a second ...")
            let requests = try await gateway.requests(control: control, gatewayConfig: gatewayConfig, count: requestCount)
            return ChainReport(fast: fast, paced: paced, alone: alone, headEndRSS: headEndRSS, requests: requests)
        }
    }
}

/// gatewayd started for one phase, each with a stage-times file of its own in the bench's scratch directory.
struct GatewayRun: Sendable {
    var executable: String
    var work: URL
    var arguments: [String]

    /// Runs gatewayd at `pollInterval` for `seconds` and returns the stage times of what it delivered after a
    /// one-second warm-up (connected, the pipeline filled), read from its file at the warm-up's end and the phase's.
    func phase(_ name: String, pollInterval: String, seconds: Double) async throws -> ChainPhase {
        let stageTimes = work.appendingPathComponent("\(name).stage-times").path
        return try await BenchProcess.run(executable, arguments + ["--poll-interval", pollInterval, "--stage-times", stageTimes]) { gateway in
            try await gateway.line(containing: "gatewayd ")
            try await Task.sleep(for: .seconds(1))
            let skipped = try StageTimesLines.records(at: stageTimes).count
            let clock = ContinuousClock()
            let started = clock.now
            var rss = 0.0
            while clock.now - started < .seconds(seconds) {
                try await Task.sleep(for: .milliseconds(250))
                rss = max(rss, gateway.residentMiB)
            }
            let records = try StageTimesLines.records(at: stageTimes).dropFirst(skipped)
            return ChainPhase(records: records, elapsed: clock.now - started, gatewayRSS: rss)
        }
    }

    /// Signed requests through the head-end's control socket to gatewayd polling once a second.
    func requests(control: String, gatewayConfig: String, count: Int) async throws -> ChainRequests {
        let stageTimes = work.appendingPathComponent("requests.stage-times").path
        return try await BenchProcess.run(executable, arguments + ["--poll-interval", "1s", "--stage-times", stageTimes]) { gateway in
            try await gateway.line(containing: "gatewayd ")
            // Connected and delivering: the first reading's stage times are in the file.
            let clock = ContinuousClock(), giveUp = clock.now + .seconds(30)
            while try StageTimesLines.records(at: stageTimes).isEmpty {
                guard clock.now < giveUp else { throw BenchError("gatewayd delivered no reading within 30 s of starting") }
                try await Task.sleep(for: .milliseconds(50))
            }
            return try await ChainRequests.measure(control: control, stageTimes: stageTimes, gatewayConfig: gatewayConfig, count: count)
        }
    }
}
