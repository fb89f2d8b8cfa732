import ArgumentParser
import Benchmarks
import Foundation

/// `gatewayctl bench chain`: the whole chain on loopback, measured from gatewayd's own stage times (`ChainBench`).
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
        let bench = ChainBench(binaries: binaries, gatewayConfig: gatewayConfig, headEndConfig: headEndConfig, seconds: seconds,
                               pacedSeconds: pacedSeconds, stageSeconds: stageSeconds, pacedOnly: pacedOnly, requestCount: requestCount)
        print(try await bench.run { print($0) })
    }
}
