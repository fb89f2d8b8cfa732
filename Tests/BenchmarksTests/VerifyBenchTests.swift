import Benchmarks
import Foundation
import Signing
import Testing

/// `gatewayctl bench verify` for a fraction of a second on P-256: what a user reads, not how fast it was.
@Suite("Bench verify: the head-end's verification rates next to openssl speed")
struct VerifyBenchTests {
    @Test("P-256: a row per check with a positive rate, openssl's verify/s parsed from its table, and the ratios printed")
    func p256() async throws {
        let report = try await VerifyBench(algorithms: [.ecdsa(.p256)], seconds: 0.2, frames: 4, batchSize: 8).run()
        #expect(report.rows.map(\.check) == [.full, .signature, .batch(8)])
        for row in report.rows {
            #expect(row.algorithm == .ecdsa(.p256))
            #expect(row.latencies.count > 0 && row.latencies.perSecond > 0, "\(row.check)")
            #expect(report.ratio(row) > 0, "\(row.check)")
        }
        #expect((report.openssl[.ecdsa(.p256)] ?? 0) > 0)

        let lines = report.description.split(separator: "\n").map(String.init)
        #expect(lines.first?.contains("one core") == true)
        #expect(lines.dropFirst().first?.split(separator: " ", omittingEmptySubsequences: true)
            == ["algorithm", "check", "verify/s", "p50", "µs", "p99", "µs", "vs", "openssl"])
        for check in ["full", "signature", "batch 8", "openssl speed"] {
            #expect(lines.contains { $0.hasPrefix("ECDSA P-256") && $0.contains(check) }, "no \(check) row in\n\(report)")
        }
        #expect(lines.last?.hasPrefix("goal: P-256 full verifications per core >= 0.6 of openssl's: ") == true)

        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.map { $0["check"] as? String } == ["full", "signature", "batch 8"])
        #expect(rows.allSatisfy { ($0["vs_openssl"] as? Double ?? 0) > 0 && ($0["openssl_per_second"] as? Double ?? 0) > 0 })
    }

    @Test("openssl output without the table's row is refused in one line that says so")
    func unreadableOpenSSL() async throws {
        let bench = try VerifyBench(algorithms: [.ecdsa(.p256)], seconds: 1, openssl: "/bin/echo")
        await #expect {
            _ = try await bench.openssl.verifyRates([.ecdsa(.p256)])
        } throws: { error in
            "\(error)".hasPrefix("openssl speed printed no verify/s row for ECDSA P-256") && !"\(error)".contains("\n")
        }
    }
}
