import Foundation
import Gateway

/// The chain bench's figures as text: the stage table of both phases, the throughput against the slowest stage
/// alone, the paced latency against what a reading cannot avoid, and memory.
public struct ChainReport: Sendable, CustomStringConvertible {
    /// Polling back to back; nil for `--paced-only`.
    public var fast: ChainPhase?
    /// One reading a second.
    public var paced: ChainPhase
    public var alone: ChainStagesAlone?
    public var headEndRSS: Double?
    public var requests: ChainRequests?

    public init(fast: ChainPhase? = nil, paced: ChainPhase, alone: ChainStagesAlone? = nil, headEndRSS: Double? = nil, requests: ChainRequests? = nil) {
        self.fast = fast
        self.paced = paced
        self.alone = alone
        self.headEndRSS = headEndRSS
        self.requests = requests
    }

    /// End-to-end p99 at one reading a second over Modbus round trip plus one signature (medians). Goal: at most 2.
    public var pacedRatio: Double {
        paced.milliseconds(.endToEnd, at: 0.99) / (paced.milliseconds(.modbus, at: 0.5) + paced.milliseconds(.signature, at: 0.5))
    }

    /// End-to-end readings per second polling back to back over the slowest stage's own rate. Goal: at least 0.85.
    public var throughputRatio: Double {
        guard let fast, let slowest = alone?.slowest.rate, slowest > 0 else { return .nan }
        return fast.perSecond / slowest
    }

    public var description: String {
        var lines = [""]
        if let fast {
            lines.append("stage (ms)       poll 0: p50     p99   |  1/s: p50     p99")
            for stage in StageTimes.Stage.allCases {
                lines.append(Self.name(stage) + " \(Self.cells(fast, stage))   |  \(Self.cells(paced, stage))")
            }
        } else {
            lines.append("stage (ms)       1/s: p50     p99")
            for stage in StageTimes.Stage.allCases { lines.append(Self.name(stage) + "  \(Self.cells(paced, stage))") }
        }
        lines.append("")
        if let fast, let alone {
            let (slowestName, slowest) = alone.slowest
            lines.append(String(format: "each stage alone: poll %.0f/s, sign %.0f/s, outbox writer %.0f/s", alone.poll, alone.sign, alone.outbox))
            lines.append("")
            lines.append("poll interval 0: \(format(fast.perSecond, 1)) readings/s end to end (\(fast.readings) readings in \(format(fast.elapsed.seconds, 1)) s); "
                         + "slowest stage alone, \(slowestName): \(format(slowest, 1))/s; ratio \(format(throughputRatio, 2)) (goal >= 0.85)")
        }
        if paced.readings > 0 {
            let unavoidable = paced.milliseconds(.modbus, at: 0.5) + paced.milliseconds(.signature, at: 0.5)
            lines.append("1 reading/s: end-to-end p99 \(format(paced.milliseconds(.endToEnd, at: 0.99), 2)) ms; Modbus round trip + one signature (p50) "
                         + "\(format(unavoidable, 2)) ms; ratio \(format(pacedRatio, 2)) (goal <= 2.0)")
        } else {
            lines.append("no reading delivered at one reading a second")
        }
        if let fast, let headEndRSS {
            lines.append("RSS: gatewayd \(format(max(fast.gatewayRSS, paced.gatewayRSS), 1)) MiB (max while polling back to back), headend \(format(headEndRSS, 1)) MiB")
        } else {
            lines.append("RSS: gatewayd \(format(paced.gatewayRSS, 1)) MiB")
        }
        if let requests { lines.append(requests.description) }
        return lines.joined(separator: "\n")
    }

    private static func name(_ stage: StageTimes.Stage) -> String {
        stage.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)
    }

    /// p50 and p99 of `stage`, eight columns each.
    private static func cells(_ phase: ChainPhase, _ stage: StageTimes.Stage) -> String {
        [0.5, 0.99].map { format(phase.milliseconds(stage, at: $0), 2).leftPadded(8) }.joined(separator: " ")
    }
}
