import ArgumentParser
import PKCS11
import Signing

/// `gatewayctl bench signers NAME=URI ...`: what one signature costs on each key, one after another in one run, the
/// way the gateway's signing stage signs (one caller on the token's own thread), each row next to the first.
///
/// For the card question: SoftHSM, the same path through pcscd + OpenSC to a (virtual) card, and a card's key that
/// wants its PIN before every signature, measured together so the ratios hold whatever the machine.
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
        guard seconds > 0 else { throw CLIError("--seconds must be positive") }
        guard !keys.isEmpty else { throw CLIError("name at least one key as NAME=URI") }
        let duration = Duration.milliseconds(Int(seconds * 1000))
        let message = Array("a PAC3200 reading of about the size a measurement record has".utf8)
        var rows: [(name: String, stage: Stage)] = []
        for argument in keys {
            guard let equals = argument.firstIndex(of: "="), argument[argument.index(after: equals)...].hasPrefix("pkcs11:") else {
                throw CLIError("\(argument) is not NAME=URI; write e.g. softhsm=pkcs11:token=gateway;object=bench-p256")
            }
            let name = String(argument[..<equals])
            let key = try await TokenKey.open(String(argument[argument.index(after: equals)...]), module: options.module)
            _ = try await key.sign(message)  // log in and warm up before the clock runs
            let stage = try await key.token.withTokenThread {
                try await measure(duration: duration, callers: 1) { _ = try await key.sign(message) }
            }
            print("\(name): \(key.uri) (\(key.algorithm)\(key.alwaysAuthenticate ? ", PIN before every signature" : ""))")
            rows.append((name, stage))
        }
        let baseline = rows[0].stage
        printTable(
            header: ["key", "sig/s", "p50 ms", "p99 ms", "throughput vs first", "p50 vs first"],
            rows: rows.map { name, stage in
                [name, format(stage.perSecond, 0), format(stage.percentile(0.5), 3), format(stage.percentile(0.99), 3),
                 format(stage.perSecond / baseline.perSecond, 4), format(stage.percentile(0.5) / baseline.percentile(0.5), 1) + "x"]
            }
        )
    }
}
