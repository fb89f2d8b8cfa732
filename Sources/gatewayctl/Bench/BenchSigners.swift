import ArgumentParser
import Benchmarks

/// `gatewayctl bench signers NAME=URI ...`: each key's signatures one after another, as ratios to the first
/// (`SignersBench`).
struct BenchSigners: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signers",
        abstract: "Signatures per second and latency of several keys (SoftHSM, a card through OpenSC), one after another, as ratios to the first.",
        discussion: """
            Each argument is NAME=URI; the URI's module-path (or --module) picks the module, so SoftHSM and OpenSC keys \
            mix. One caller signs on the token's own thread, as gatewayd's signing stage does.
            """
    )

    @OptionGroup var options: TokenOptions

    @Argument(help: ArgumentHelp("NAME=URI of each private key, the first is the baseline.", valueName: "name=uri"))
    var keys: [String]

    @Option(help: "Seconds per key.")
    var seconds: Double = 3

    func run() async throws {
        let bench = try SignersBench(arguments: keys, seconds: seconds, module: options.module)
        print(try await bench.run { print($0) })
    }
}
