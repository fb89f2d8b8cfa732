import ArgumentParser
import ConfigFiles
import Foundation
import Modbus
import PAC3200Simulator
import Synchronization

/// `gatewayctl bench chain`: the whole chain on loopback (an in-process simulated PAC3200, `headend` and `gatewayd`
/// as processes, keys on their tokens), measured from gatewayd's own per-reading stage times. Two phases in one run:
/// polling back to back, for throughput against the slowest stage's own rate, and one reading a second, for
/// end-to-end latency against what a reading cannot avoid (a Modbus round trip and a token signature).
struct BenchChain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain",
        abstract: "End-to-end readings/s and latency of gatewayd → headend, against the slowest stage and Modbus + signature.",
        discussion: """
            Needs configurations whose keys are enrolled (make bench prepares them with the demo's PKI). Goals: with the
            poll interval at zero, end-to-end readings/s at least 0.85 of the slowest stage's own rate; at one reading a
            second, end-to-end p99 at most 2.0 × (Modbus round trip + one token signature), both medians of the same run.
            """
    )

    @Option(name: .customLong("gateway-config"), help: "gatewayd's configuration (its meter and outbox are replaced).")
    var gatewayConfig: String

    @Option(name: .customLong("headend-config"), help: "headend's configuration.")
    var headEndConfig: String

    @Option(help: "Seconds polling back to back.")
    var seconds: Double = 10

    @Option(name: .customLong("paced-seconds"), help: "Seconds at one reading a second.")
    var pacedSeconds: Double = 20

    @Option(name: .customLong("stage-seconds"), help: "Seconds for each stage alone.")
    var stageSeconds: Double = 2

    @Flag(name: .customLong("paced-only"), help: "Only the phase at one reading a second (for a slow card as signer).")
    var pacedOnly = false

    @Option(name: .customLong("requests"), help: "Signed requests in the last phase.")
    var requestCount: Int = 30

    func run() async throws {
        let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        var options = SimulatorOptions(map: try RegisterMap.builtInPAC3200())
        options.port = 0
        let simulator = try PAC3200Simulator(options: options)
        let meterPort = try simulator.start()
        defer { simulator.stop() }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("bench-chain-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        if pacedOnly { return try await runPaced(binaries: binaries, meterPort: meterPort, work: work) }
        print("each stage alone, \(Int(stageSeconds)) s each ...")
        let alone = try await ChainStagesAlone.measure(gatewayConfig: gatewayConfig, meterPort: meterPort, scratch: work, seconds: stageSeconds)

        let headEnd = try ChildProcess(binaries.appendingPathComponent("headend").path,
                                       ["--config", headEndConfig, "--store", work.appendingPathComponent("readings.sqlite").path, "--log-level", "warning"])
        defer { headEnd.stop() }
        try headEnd.waitForLine(containing: "listening on", timeout: 30)

        let gatewayArguments = ["--config", gatewayConfig, "--meter", "127.0.0.1:\(meterPort)", "--log-level", "warning",
                                "--outbox", work.appendingPathComponent("outbox.sqlite").path]
        print("phase 1: polling back to back for \(seconds) s ...")
        let fast = try await phase(binaries, gatewayArguments + ["--poll-interval", "0s"], seconds: seconds)
        print("phase 2: one reading a second for \(pacedSeconds) s ...")
        let paced = try await phase(binaries, gatewayArguments + ["--poll-interval", "1s"], seconds: pacedSeconds)
        let headEndRSS = headEnd.residentMiB
        print("phase 3: \(requestCount) signed requests, one at a time, at one reading a second ...")
        let controlLine = try headEnd.waitForLine(containing: "headend control at ", timeout: 5)
        let requests = try await ChainRequests.measure(
            gateway: ChildProcess(binaries.appendingPathComponent("gatewayd").path,
                                  gatewayArguments + ["--poll-interval", "1s", "--log-level", "info"], captureStandardError: true),
            control: String(controlLine.split(separator: "/").last ?? ""), gatewayConfig: gatewayConfig, count: requestCount
        )

        let report = ChainBenchReport(fast: fast, paced: paced, alone: alone, headEndRSS: headEndRSS)
        print(report.text)
        print(requests.text)
    }

    /// Only the paced phase: for a slow signer (a card), where polling back to back would pile up a backlog that
    /// takes minutes to sign and the stages alone say nothing new.
    private func runPaced(binaries: URL, meterPort: Int, work: URL) async throws {
        let headEnd = try ChildProcess(binaries.appendingPathComponent("headend").path,
                                       ["--config", headEndConfig, "--store", work.appendingPathComponent("readings.sqlite").path, "--log-level", "warning"])
        defer { headEnd.stop() }
        try headEnd.waitForLine(containing: "listening on", timeout: 30)
        print("one reading a second for \(pacedSeconds) s ...")
        let paced = try await phase(binaries, ["--config", gatewayConfig, "--meter", "127.0.0.1:\(meterPort)", "--log-level", "warning",
                                               "--outbox", work.appendingPathComponent("outbox.sqlite").path, "--poll-interval", "1s"],
                                    seconds: pacedSeconds)
        print(ChainBenchReport.pacedText(paced))
    }

    /// Runs gatewayd for `seconds` and returns the stage times of what it delivered after a one-second warm-up.
    private func phase(_ binaries: URL, _ arguments: [String], seconds: Double) async throws -> ChainPhase {
        let gateway = try ChildProcess(binaries.appendingPathComponent("gatewayd").path, arguments)
        try gateway.waitForLine(containing: "gatewayd ", timeout: 30)
        try await Task.sleep(for: .seconds(1))
        let skipped = gateway.lines.count
        let started = Date()
        var rss = 0.0
        while Date().timeIntervalSince(started) < seconds {
            try await Task.sleep(for: .milliseconds(250))
            rss = max(rss, gateway.residentMiB)
        }
        let lines = Array(gateway.lines.dropFirst(skipped))
        let elapsed = Date().timeIntervalSince(started)
        gateway.stop()
        return ChainPhase(readings: lines.compactMap(ChainPhase.stages(of:)), seconds: elapsed, gatewayRSS: rss)
    }
}

/// One phase's delivered readings, stage by stage (milliseconds).
struct ChainPhase {
    var readings: [[String: Double]]
    var seconds: Double
    var gatewayRSS: Double

    /// "delivered #12: modbus 1.2 ms, build 0.01 ms, ..." as stage → milliseconds.
    static func stages(of line: String) -> [String: Double]? {
        guard line.hasPrefix("delivered #"), let colon = line.firstIndex(of: ":") else { return nil }
        var stages: [String: Double] = [:]
        for part in line[line.index(after: colon)...].split(separator: ",") {
            let words = part.split(separator: " ")
            if words.count == 3, let value = Double(words[1]) { stages[String(words[0])] = value }
        }
        return stages
    }

    func values(_ stage: String) -> [Double] { readings.compactMap { $0[stage] }.sorted() }

    func percentile(_ stage: String, _ share: Double) -> Double? {
        let sorted = values(stage)
        guard !sorted.isEmpty else { return nil }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * share + 0.5))]
    }

    func mean(_ stages: [String]) -> Double? {
        let sums = readings.compactMap { reading -> Double? in
            let parts = stages.compactMap { reading[$0] }
            return parts.count == stages.count ? parts.reduce(0, +) : nil
        }
        return sums.isEmpty ? nil : sums.reduce(0, +) / Double(sums.count)
    }
}

struct ChainBenchReport {
    static let stages = ["modbus", "build", "outbox_commit", "encode", "signature", "sign_commit", "send_to_ack", "deliver_commit", "end_to_end"]
    var fast: ChainPhase
    var paced: ChainPhase
    var alone: ChainStagesAlone
    var headEndRSS: Double

    /// The paced phase alone (`--paced-only`): its table, the 1/s ratio, and gatewayd's memory.
    static func pacedText(_ paced: ChainPhase) -> String {
        var lines = ["", "stage (ms)       1/s: p50     p99"]
        for stage in stages {
            let cells = [0.5, 0.99].map { share in paced.percentile(stage, share).map { String(format: "%8.2f", $0) } ?? "       -" }
            lines.append(stage.padding(toLength: 16, withPad: " ", startingAt: 0) + "  " + cells.joined(separator: " "))
        }
        lines.append("")
        lines.append(pacedRatio(paced) ?? "no reading delivered")
        lines.append(String(format: "RSS: gatewayd %.1f MiB", paced.gatewayRSS))
        return lines.joined(separator: "\n")
    }

    static func pacedRatio(_ paced: ChainPhase) -> String? {
        guard let p99 = paced.percentile("end_to_end", 0.99), let modbus = paced.percentile("modbus", 0.5),
              let signature = paced.percentile("signature", 0.5) else { return nil }
        return String(format: "1 reading/s: end-to-end p99 %.2f ms; Modbus round trip + one signature (p50) %.2f ms; ratio %.2f (goal <= 2.0)",
                      p99, modbus + signature, p99 / (modbus + signature))
    }

    var text: String {
        var lines = ["", "stage (ms)       poll 0: p50     p99   |  1/s: p50     p99"]
        for stage in Self.stages {
            func cell(_ phase: ChainPhase, _ share: Double) -> String {
                phase.percentile(stage, share).map { String(format: "%8.2f", $0) } ?? "       -"
            }
            lines.append(stage.padding(toLength: 16, withPad: " ", startingAt: 0) + " \(cell(fast, 0.5)) \(cell(fast, 0.99))   |  \(cell(paced, 0.5)) \(cell(paced, 0.99))")
        }
        let rate = Double(fast.readings.count) / fast.seconds
        let (slowestName, slowest) = alone.slowest
        lines.append("")
        lines.append(String(format: "each stage alone: poll %.0f/s, sign %.0f/s, outbox writer %.0f/s", alone.poll, alone.sign, alone.outbox))
        lines.append("")
        lines.append(String(format: "poll interval 0: %.1f readings/s end to end (%d readings in %.1f s); slowest stage alone, %@: %.1f/s; ratio %.2f (goal >= 0.85)",
                            rate, fast.readings.count, fast.seconds, slowestName, slowest, slowest > 0 ? rate / slowest : 0))
        if let ratio = Self.pacedRatio(paced) { lines.append(ratio) }
        lines.append(String(format: "RSS: gatewayd %.1f MiB (max while polling back to back), headend %.1f MiB", max(fast.gatewayRSS, paced.gatewayRSS), headEndRSS))
        return lines.joined(separator: "\n")
    }
}

/// A child process whose standard output is read line by line (standard error goes to ours unless captured).
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    private let output = LinePipe()
    private let errors = LinePipe()

    /// - Parameter captureStandardError: keep its standard error lines too (else they go to ours).
    init(_ path: String, _ arguments: [String], captureStandardError: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = output.pipe
        if captureStandardError { process.standardError = errors.pipe }
        try process.run()
    }

    var lines: [String] { output.lines }
    var standardErrorLines: [String] { errors.lines }

    @discardableResult
    func waitForLine(containing text: String, timeout: Double) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = lines.first(where: { $0.contains(text) }) { return line }
            guard process.isRunning else { break }
            usleep(20_000)
        }
        throw CLIError("\(process.executableURL?.lastPathComponent ?? "child") did not start (no \"\(text)\" on its output); run it alone to see why")
    }

    /// The resident set size from /proc, in MiB.
    var residentMiB: Double {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Double(line.split(separator: " ")[1]) else { return 0 }
        return kib / 1024
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        output.close()
        errors.close()
    }
}

/// A pipe whose data is split into lines as it arrives.
final class LinePipe: Sendable {
    let pipe = Pipe()
    private let state = Mutex<(lines: [String], partial: Data)>(([], Data()))

    init() {
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            self?.state.withLock { state in
                state.partial.append(data)
                while let newline = state.partial.firstIndex(of: 0x0A) {
                    state.lines.append(String(decoding: state.partial[..<newline], as: UTF8.self))
                    state.partial.removeSubrange(...newline)
                }
            }
        }
    }

    var lines: [String] { state.withLock { $0.lines } }

    func close() {
        pipe.fileHandleForReading.readabilityHandler = nil
    }
}
