import PKCS11
import Signing

/// `gatewayctl bench signers NAME=URI ...`: what one signature costs on each key, one after another in one run, the
/// way the gateway's signing stage signs (one caller on the token's own thread), each row next to the first.
///
/// For the card question: SoftHSM, the same path through pcscd + OpenSC to a (virtual) card, and a card's key that
/// wants its PIN before every signature, measured together so the ratios hold whatever the machine.
public struct SignersBench: Sendable {
    public var keys: [(name: String, uri: String)]
    public var duration: Duration
    public var module: String?

    /// - Parameter arguments: NAME=URI each, the first the baseline.
    public init(arguments: [String], seconds: Double, module: String?) throws(BenchError) {
        guard seconds > 0 else { throw BenchError("--seconds must be positive") }
        guard !arguments.isEmpty else { throw BenchError("name at least one key as NAME=URI") }
        keys = try arguments.map { argument throws(BenchError) in
            guard let equals = argument.firstIndex(of: "="), argument[argument.index(after: equals)...].hasPrefix("pkcs11:") else {
                throw BenchError("\(argument) is not NAME=URI; write e.g. softhsm=pkcs11:token=gateway;object=bench-p256")
            }
            return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
        }
        duration = .milliseconds(Int(seconds * 1000))
        self.module = module
    }

    /// Measures each key in turn; `progress` hears which key each row is.
    public func run(progress: (String) -> Void) async throws -> SignersReport {
        let message = TokenBench.message
        var report = SignersReport()
        for (name, uri) in keys {
            let key = try await TokenKey.open(uri, module: module)
            _ = try await key.sign(message)  // log in and warm up before the clock runs
            let stage = try await key.token.withTokenThread { [duration] in
                try await Sampling.measure(duration: duration, callers: 1) { _ = try await key.sign(message) }
            }
            progress("\(name): \(key.uri) (\(key.algorithm)\(key.alwaysAuthenticate ? ", PIN before every signature" : ""))")
            report.rows.append((name, stage))
        }
        return report
    }
}

/// Each key's signatures, the first the baseline.
public struct SignersReport: Sendable, CustomStringConvertible {
    public var rows: [(name: String, latencies: LatencySummary)] = []

    public var description: String {
        guard let baseline = rows.first?.latencies else { return "no key measured" }
        return TextTable(
            header: ["key", "sig/s", "p50 ms", "p99 ms", "throughput vs first", "p50 vs first"],
            rows: rows.map { name, stage in
                [name, format(stage.perSecond, 0), format(stage.milliseconds(at: 0.5), 3), format(stage.milliseconds(at: 0.99), 3),
                 format(stage.perSecond / baseline.perSecond, 4), format(stage.milliseconds(at: 0.5) / baseline.milliseconds(at: 0.5), 1) + "x"]
            }
        ).description
    }
}
