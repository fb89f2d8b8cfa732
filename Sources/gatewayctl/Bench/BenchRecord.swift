import ArgumentParser
import Benchmarks
import PKCS11

struct BenchRecord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "What mapping, encoding and decoding a full PAC3200 record cost next to one token signature.",
        discussion: "Goal: encoding plus decoding a full record costs less than 5 % of one SoftHSM P-256 signature, both measured in this run."
    )

    @OptionGroup var options: TokenOptions

    @Argument(help: "URI of a P-256 signing key on the token.")
    var uri: String

    @Option(help: "Seconds per stage.")
    var seconds: Double = 2

    @OptionGroup var map: MapOption

    func run() async throws {
        let options = options
        let bench = RecordBench(uri: try PKCS11URI(argument: uri), map: try map.load(), seconds: seconds) { uri, sessions in
            try await options.openToken(uri, sessions: sessions)
        }
        print(try await bench.run())
    }
}
