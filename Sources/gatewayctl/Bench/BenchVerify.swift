import ArgumentParser
import Benchmarks
import Signing

struct BenchVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "The head-end's verifications per second on one core, per algorithm, next to openssl speed in the same run.",
        discussion: """
            Signs record frames with software keys under a scratch CA (no token, no pkid), then verifies them on one \
            thread: the full check (RecordVerifier) and the signature alone; for P-256 also the frames of a batch \
            signature. Runs `openssl speed` (one core, no -multi) for the same algorithms. Goal: P-256 full \
            verifications at least 0.6 of openssl's verify/s.
            """
    )

    @Option(help: "Seconds per loop, and for openssl speed (rounded up to whole seconds).")
    var seconds: Double = 3

    @Option(help: "Algorithms to measure, comma-separated: ec-p256, ec-p384, rsa-2048.")
    var algorithms: String = VerifyBench.compared.map(\.name).joined(separator: ",")

    @Option(help: "Distinct frames each loop cycles through.")
    var frames: Int = 100

    @Option(help: "Frames per batch signature in the P-256 batch row.")
    var batch: Int = 64

    @Option(help: "The openssl program to compare with.")
    var openssl: String = "openssl"

    @Flag(help: "Print the figures as JSON instead of a table.")
    var json = false

    func run() async throws {
        let chosen = try algorithms.split(separator: ",").map { name in
            guard let algorithm = KeyAlgorithm(name: String(name)) else {
                throw ValidationError("unknown algorithm \(name); choose among \(VerifyBench.compared.map(\.name).joined(separator: ", "))")
            }
            return algorithm
        }
        let bench = try VerifyBench(algorithms: chosen, seconds: seconds, frames: frames, batchSize: batch, openssl: openssl)
        let report = try await bench.run()
        print(json ? report.json : report.description)
    }
}
