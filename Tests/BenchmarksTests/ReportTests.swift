import Benchmarks
import Gateway
import Testing

/// What the benches print: tables aligned, a figure that is not there printed as "-", the goals' ratios worked out
/// from the same run's figures and said met or not.
@Suite("Bench reports: tables, ratios and goals")
struct ReportTests {
    @Test("a table: columns two spaces apart as wide as their widest cell, no trailing spaces")
    func table() {
        let table = TextTable(header: ["stage", "sig/s"], rows: [["raw C_Sign loop", "9000"], ["software", "1"]])
        #expect(table.lines == ["stage            sig/s", "raw C_Sign loop  9000", "software         1"])
        #expect(TextTable(header: ["a", "b"], rows: [["long cell", ""]]).lines == ["a          b", "long cell"])
    }

    /// A phase whose readings took `modbus`, `signature` and `endToEnd` ms each, `count` of them in `seconds`.
    static func phase(count: Int, seconds: Int64, modbus: Int64, signature: Int64, endToEnd: Int64, rss: Double) -> ChainPhase {
        var times = StageTimes()
        times.modbus = .milliseconds(modbus)
        times.signature = .milliseconds(signature)
        times.endToEnd = .milliseconds(endToEnd)
        let records = (1...count).map { StageTimesRecord(delivered: UInt64($0), times: times) }
        return ChainPhase(records: records, elapsed: .seconds(seconds), gatewayRSS: rss)
    }

    @Test("the chain report: each stage's p50 and p99 in both phases, '-' for a stage not timed, and both goals' ratios")
    func chain() {
        let fast = Self.phase(count: 900, seconds: 10, modbus: 1, signature: 2, endToEnd: 8, rss: 20)
        let paced = Self.phase(count: 20, seconds: 20, modbus: 1, signature: 2, endToEnd: 5, rss: 18)
        let alone = ChainStagesAlone(poll: 1000, sign: 100, outbox: 500)
        let report = ChainReport(fast: fast, paced: paced, alone: alone, headEndRSS: 30)
        #expect(abs(report.throughputRatio - 0.9) < 1e-9, "90 readings/s against the slowest stage's 100/s")
        #expect(abs(report.pacedRatio - 5.0 / 3) < 0.01)
        let lines = report.description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains("modbus               1.00     1.00   |      1.00     1.00"))
        #expect(lines.contains("build                   -        -   |         -        -"))
        #expect(lines.contains("poll interval 0: 90.0 readings/s end to end (900 readings in 10.0 s); slowest stage alone, sign (the token): 100.0/s; ratio 0.90 (goal >= 0.85)"))
        #expect(lines.contains("1 reading/s: end-to-end p99 5.00 ms; Modbus round trip + one signature (p50) 3.00 ms; ratio 1.67 (goal <= 2.0)"))
        #expect(lines.contains("RSS: gatewayd 20.0 MiB (max while polling back to back), headend 30.0 MiB"))
    }

    @Test("paced only (a card): one phase's columns, and a run that delivered nothing says so")
    func pacedOnly() {
        let report = ChainReport(paced: Self.phase(count: 3, seconds: 3, modbus: 1, signature: 150, endToEnd: 160, rss: 18))
        let lines = report.description.split(separator: "\n").map(String.init)
        #expect(lines.first == "stage (ms)       1/s: p50     p99")
        #expect(lines.contains("signature           150.00   150.00"))
        #expect(lines.last == "RSS: gatewayd 18.0 MiB")
        let nothing = ChainReport(paced: ChainPhase(records: [], elapsed: .seconds(3), gatewayRSS: 0))
        #expect(nothing.description.contains("no reading delivered at one reading a second"))
    }
}
