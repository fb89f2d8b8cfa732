import Foundation
import Signing
import Subprocess
internal import SystemPackage

/// `openssl speed` run as a child for the same algorithms and seconds as our loops: the reference the head-end's
/// rate is held to. Without `-multi` it runs on one core, as our single-threaded loop does.
public struct OpenSSLSpeed: Sendable {
    public var executable: String
    public var seconds: Int

    public init(executable: String = "openssl", seconds: Int) {
        self.executable = executable
        self.seconds = max(1, seconds)
    }

    /// openssl's name for the benchmark of `algorithm`; nil for those this bench does not compare.
    static func name(of algorithm: KeyAlgorithm) -> String? {
        switch algorithm {
        case .ecdsa(.p256): "ecdsap256"
        case .ecdsa(.p384): "ecdsap384"
        case .rsa(2048): "rsa2048"
        default: nil
        }
    }

    /// Verifications per second openssl measured, per algorithm.
    public func verifyRates(_ algorithms: [KeyAlgorithm]) async throws -> [KeyAlgorithm: Double] {
        let names = algorithms.compactMap(Self.name(of:))
        let command = "\(executable) speed -seconds \(seconds) \(names.joined(separator: " "))"
        let program: Executable = executable.contains("/") ? .path(FilePath(executable)) : .name(executable)
        let result = try? await Subprocess.run(program, arguments: Arguments(["speed", "-seconds", String(seconds)] + names),
                                               output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        guard let result else {
            throw BenchError("could not run `\(command)`: install openssl (Debian: apt-get install openssl) or pass --openssl PATH")
        }
        guard result.terminationStatus.isSuccess else {
            let last = result.standardError.split(separator: "\n").last.map(String.init) ?? ""
            throw BenchError("`\(command)` failed (\(result.terminationStatus)): \(last)")
        }
        return try Self.verifyRates(parsing: result.standardOutput, algorithms: algorithms)
    }

    /// The verify/s column of OpenSSL 3's tables (`256 bits ecdsa (nistp256) 0.0000s 0.0001s 26512.9 9215.1`,
    /// `rsa 2048 bits 0.000736s 0.000022s 1358.7 45678.6`): the last figure of the algorithm's row.
    static func verifyRates(parsing output: String, algorithms: [KeyAlgorithm]) throws -> [KeyAlgorithm: Double] {
        var rates: [KeyAlgorithm: Double] = [:]
        for algorithm in algorithms {
            guard let label = rowLabel(of: algorithm) else { continue }
            let row = output.split(separator: "\n").first { $0.replacingOccurrences(of: "  ", with: " ").contains(label) }
            guard let row, let rate = row.split(separator: " ").last.flatMap({ Double($0) }), rate > 0 else {
                throw BenchError("openssl speed printed no verify/s row for \(algorithm) (looked for \"\(label)\"): its output format is not the OpenSSL 3 table this bench reads")
            }
            rates[algorithm] = rate
        }
        return rates
    }

    private static func rowLabel(of algorithm: KeyAlgorithm) -> String? {
        switch algorithm {
        case .ecdsa(.p256): "ecdsa (nistp256)"
        case .ecdsa(.p384): "ecdsa (nistp384)"
        case .rsa(2048): "rsa 2048 bits"
        default: nil
        }
    }
}
