import Foundation
import Signing

/// The verification rates per algorithm, each next to openssl's verify/s from the same run.
public struct VerifyReport: Sendable, CustomStringConvertible {
    /// What a loop checked for each frame.
    public enum Check: Sendable, Hashable, CustomStringConvertible {
        /// `RecordVerifier`'s every check, as the head-end runs it.
        case full
        /// The key's signature check over the signed bytes alone.
        case signature
        /// The full check of frames under one batch signature of `size` frames, the root checked once per batch.
        case batch(Int)

        public var description: String {
            switch self {
            case .full: "full"
            case .signature: "signature"
            case .batch(let size): "batch \(size)"
            }
        }
    }

    public struct Row: Sendable {
        public var algorithm: KeyAlgorithm
        public var check: Check
        public var latencies: LatencySummary
    }

    public var rows: [Row]
    /// openssl speed's verify/s per algorithm.
    public var openssl: [KeyAlgorithm: Double]
    public var seconds: Double

    /// Our rate over openssl's for the same algorithm; NaN without an openssl figure.
    public func ratio(_ row: Row) -> Double {
        openssl[row.algorithm].map { row.latencies.perSecond / $0 } ?? .nan
    }

    /// The issue's goal: P-256 full verifications per core at least 0.6 of openssl's rate; nil without both figures.
    public var goalRatio: Double? {
        guard let full = rows.first(where: { $0.algorithm == .ecdsa(.p256) && $0.check == .full }) else { return nil }
        let ratio = ratio(full)
        return ratio.isNaN ? nil : ratio
    }

    public var description: String {
        let algorithms = rows.map(\.algorithm).reduce(into: [KeyAlgorithm]()) { if !$0.contains($1) { $0.append($1) } }
        var table: [[String]] = []
        for algorithm in algorithms {
            for row in rows where row.algorithm == algorithm {
                table.append([algorithm.description, row.check.description, format(row.latencies.perSecond, 0),
                              format(row.latencies.milliseconds(at: 0.5) * 1000, 1), format(row.latencies.milliseconds(at: 0.99) * 1000, 1),
                              format(ratio(row), 2)])
            }
            table.append([algorithm.description, "openssl speed", format(openssl[algorithm] ?? .nan, 0), "", "", "1.00"])
        }
        var lines = ["verifications on one core: our loop is single-threaded, openssl speed ran without -multi, \(format(seconds, 1)) s each",
                     TextTable(header: ["algorithm", "check", "verify/s", "p50 µs", "p99 µs", "vs openssl"], rows: table).description]
        if let goal = goalRatio {
            lines.append("goal: P-256 full verifications per core >= 0.6 of openssl's: \(format(goal, 2)), \(goal >= 0.6 ? "met" : "NOT met")")
        }
        return lines.joined(separator: "\n")
    }

    /// The figures for machines: one object per row, openssl's rate and the ratio beside each.
    public var json: String {
        let objects: [[String: Any]] = rows.map { row in
            var object: [String: Any] = [
                "algorithm": row.algorithm.name, "check": row.check.description, "verifications": row.latencies.count,
                "per_second": row.latencies.perSecond, "p50_us": row.latencies.milliseconds(at: 0.5) * 1000,
                "p99_us": row.latencies.milliseconds(at: 0.99) * 1000,
            ]
            if let rate = openssl[row.algorithm] { object["openssl_per_second"] = rate; object["vs_openssl"] = rate > 0 ? row.latencies.perSecond / rate : 0 }
            return object
        }
        var document: [String: Any] = ["cores": 1, "seconds": seconds, "rows": objects]
        if let goalRatio { document["goal_p256_full_vs_openssl"] = goalRatio }
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
