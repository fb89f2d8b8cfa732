import Benchmarks
import Foundation
import Testing

/// `SecurityResults` as a full run, a run that measured nothing, and a run with figures that are not numbers, with
/// plausible figures (SoftHSM P-256 at 0.41 ms, a 150 ms card, 50 meters): what the report must render.
enum SecurityResultsFixture: String, CaseIterable, CustomTestStringConvertible {
    case full
    case empty
    case notANumber

    var testDescription: String { rawValue }

    var results: SecurityResults {
        switch self {
        case .full: Self.fullRun
        case .empty: SecurityResults(machine: Self.machine, versions: [:], quick: true, startedAt: Self.started, seconds: 12)
        case .notANumber: Self.notANumberResults
        }
    }

    /// A CPU name with markup in it: the page must show it as text.
    static let machine = MachineFacts(cpu: "Test CPU <b>&\"x\"</b>", cores: 2, memoryGiB: 7.8, kernel: "6.1.0-28-amd64", system: "Debian 12")
    static let started = Date(timeIntervalSince1970: 1_796_000_000)

    static let configurationNames = ["plain", "tls", "signatures", "signatures+tls", "product", "product+requests"]

    static var fullRun: SecurityResults {
        SecurityResults(machine: machine,
                        versions: ["gatewayctl": "0.19.0", "swift": "6.1.2", "openssl": "3.0.17", "softhsm": "2.6.1",
                                   "opensc": "0.23.0", "pcsc-lite": "1.9.9"],
                        quick: false, startedAt: started, seconds: 540,
                        configurations: configurationNames.enumerated().map { configuration($1, step: $0) },
                        signers: signers, load: load, tokenLink: tokenLink, verification: verification, goals: goals)
    }

    /// One configuration: plain has no signature and no verification, TLS adds to the send, the rest sign.
    static func configuration(_ name: String, step: Int) -> ConfigurationRun {
        let signs = name.contains("signatures") || name.contains("product")
        let tls = name.contains("tls") || name.contains("product")
        var medians: [(String, Double)] = [("modbus", 0.35), ("build", 0.02), ("outbox_commit", 0.9), ("encode", 0.03)]
        if signs { medians += [("signature", 0.41), ("sign_commit", 0.8)] }
        medians += [("send_to_ack", tls ? 0.4 : 0.25), ("deliver_commit", 0.7)]
        if signs { medians.append(("verify", 0.12)) }
        medians.append(("store_commit", 0.6))
        let endToEnd: Double = medians.map(\.1).reduce(0, +) * 0.9
        medians.append(("end_to_end", endToEnd))
        let stages = medians.map { stage, p50 in StageFigure(stage: stage, p50: p50, p99: p50 * 2.5, mean: p50 * 1.1) }
        // Spread from 0.7 to 1.3 times the median, and a tail at the 100th.
        var percentiles: [Double] = (1...100).map { (percentile: Int) -> Double in
            let share: Double = 0.7 + 0.006 * Double(percentile)
            return endToEnd * share
        }
        percentiles[99] += 4
        return ConfigurationRun(name: name, description: "step \(step): \(name) through the daemons",
                                settings: ["signer": signs ? "softhsm" : "none", "algorithm": "ec-p256", "meters": "1", "poll": "1s"],
                                readings: 600, stages: stages,
                                endToEndPercentiles: percentiles,
                                requestRoundTrip: name == "product+requests" ? StageFigure(stage: "request", p50: 2.1, p99: 4.9, mean: 2.4) : nil)
    }

    static var signers: [SignerRun] {
        let figures: [(String, String, Double, Double)] = [
            ("software", "ec-p256", 0.05, 0.09), ("softhsm", "ec-p256", 0.41, 0.09), ("softhsm", "ec-p384", 1.2, 0.3),
            ("softhsm", "rsa-2048-pkcs1", 1.5, 0.03), ("softhsm", "rsa-2048-pss", 1.6, 0.035), ("softhsm", "rsa-3072-pkcs1", 4.8, 0.06),
            ("card", "ec-p256", 153.4, 0.09),
        ]
        let measured = figures.map { signer, algorithm, sign, verify in
            SignerRun(signer: signer, algorithm: algorithm, signature: StageFigure(stage: "signature", p50: sign, p99: sign * 1.8, mean: sign * 1.1),
                      verification: StageFigure(stage: "verify", p50: verify, p99: verify * 2, mean: verify * 1.1),
                      endToEnd: StageFigure(stage: "end_to_end", p50: sign + 4.2, p99: sign * 1.8 + 9, mean: sign + 4.6))
        }
        let none = StageFigure(stage: "signature", p50: 0, p99: 0, mean: 0)
        return measured + [SignerRun(signer: "softhsm", algorithm: "ec-brainpoolP256r1", signature: none, verification: none,
                                     skipped: "SoftHSM has no brainpoolP256r1 key generation | mechanism")]
    }

    /// 4 card delays × no batch, 16, 64 × 1, 10, 50 meters; a card signs a batch in one card delay.
    static var load: [LoadRun] {
        var runs: [LoadRun] = []
        for delay in [0.0, 50, 150, 500] {
            for batch in [nil, 16, 64] as [Int?] {
                for meters in [1, 10, 50] {
                    let capacity = Double(batch ?? 1) * 1000 / (delay + 3)
                    let offered = Double(meters)
                    let sustained = min(offered, capacity)
                    let grows = sustained < offered
                    runs.append(LoadRun(cardDelay: delay, batch: batch, meters: meters, offered: offered, sustained: sustained,
                                        backlogStart: 2, backlogEnd: grows ? 2 + Int((offered - sustained) * 30) : 3,
                                        endToEnd: StageFigure(stage: "end_to_end", p50: delay + 5, p99: delay * 1.4 + 210, mean: delay + 8),
                                        seconds: 30))
                }
            }
        }
        return runs
    }

    static var tokenLink: [TokenLinkRun] {
        [0.0, 50, 150, 500].map { delay in
            let link = 3.2 + delay / 1000
            return TokenLinkRun(cardDelay: delay, signature: StageFigure(stage: "signature", p50: delay + link, p99: delay + link * 2, mean: delay + link),
                                link: link, softhsm: delay == 500 ? nil : StageFigure(stage: "signature", p50: 0.41, p99: 0.9, mean: 0.45))
        }
    }

    static var verification: [VerificationRun] {
        [VerificationRun(algorithm: "ec-p256", fullPerSecond: 1100, signaturePerSecond: 1400, opensslPerSecond: 1650),
         VerificationRun(algorithm: "ec-p384", fullPerSecond: 420, signaturePerSecond: 450, opensslPerSecond: 610),
         VerificationRun(algorithm: "rsa-2048-pkcs1", fullPerSecond: 9000, signaturePerSecond: 15000, opensslPerSecond: 31000),
         VerificationRun(algorithm: "ec-brainpoolP256r1", fullPerSecond: 300, signaturePerSecond: 320, opensslPerSecond: nil)]
    }

    static var goals: [Goal] {
        [Goal(name: "150 ms card, 50 meters, batch 64", target: "no growing backlog, p99 ≤ 450 ms", measured: "50.0/s, p99 420 ms", met: true),
         Goal(name: "moonshot", target: "100 readings/s through one 150 ms card", measured: "–", met: nil),
         Goal(name: "product − plain at 1/s", target: "≤ signature + verification + 1 ms", measured: "1.21 ms ≤ 1.53 ms", met: true),
         Goal(name: "end to end within 1.5 × the parts", target: "≤ 1.5", measured: "1.62", met: false),
         Goal(name: "verification ÷ openssl, P-256", target: "≥ 0.6", measured: "0.67", met: true)]
    }

    /// The full run with some figures not numbers (a run that delivered nothing, a division by zero).
    static var notANumberResults: SecurityResults {
        var results = fullRun
        results.configurations[1].stages[0].p50 = .nan
        results.configurations[2].endToEndPercentiles[5] = .infinity
        results.load[0].sustained = .nan
        results.tokenLink[1].link = .nan
        results.verification[0].opensslPerSecond = .infinity
        results.signers[2].signature.p50 = -.infinity
        results.seconds = .nan
        return results
    }
}
