import ArgumentParser
import Benchmarks
import PKCS11

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
        let options = options
        let bench = try TokenBench(uri: try PKCS11URI(argument: uri), seconds: seconds, sessions: sessions) { uri, sessions in
            try await options.openToken(uri, sessions: sessions)
        }
        print(try await bench.run())
    }
}
