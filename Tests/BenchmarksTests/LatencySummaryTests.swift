import Benchmarks
import Testing

/// Percentiles come from HdrHistogram at three significant digits: checked against latencies whose quantiles the test
/// knows, so a summary that sorted wrongly, indexed off by one or lost the unit would fail here.
@Suite("Latency summary: percentiles and throughput from the histogram")
struct LatencySummaryTests {
    @Test("1 ms to 1000 ms, one each: p50 500 ms, p99 990 ms, the largest 1000 ms, to the histogram's 0.1 %")
    func knownQuantiles() {
        let summary = LatencySummary((1...1000).map { Duration.milliseconds($0) }, elapsed: .seconds(4))
        #expect(summary.count == 1000)
        for (share, expected) in [(0.5, 500.0), (0.99, 990.0), (1.0, 1000.0), (0.0, 1.0)] {
            let value = summary.milliseconds(at: share)
            #expect(abs(value - expected) <= expected * 0.001, "p\(share * 100): \(value) ms, expected \(expected)")
        }
        #expect(summary.perSecond == 250, "1000 calls in 4 s")
    }

    @Test("microsecond latencies keep their resolution (a record's encoding takes a few µs)")
    func microseconds() {
        var summary = LatencySummary()
        summary.record(.nanoseconds(3_250), count: 100)
        summary.record(.nanoseconds(7_900), count: 1)
        #expect(abs(summary.milliseconds(at: 0.5) - 0.00325) < 0.000_01)
        #expect(abs(summary.milliseconds(at: 1) - 0.0079) < 0.000_01)
        #expect(summary.count == 101)
    }

    @Test("summaries of concurrent callers add up; nothing recorded is NaN, which reports print as -")
    func addingAndEmpty() {
        var first = LatencySummary([.milliseconds(2), .milliseconds(2)], elapsed: .seconds(1))
        first.add(LatencySummary([.milliseconds(10), .milliseconds(10)]))
        #expect(first.count == 4)
        #expect(first.perSecond == 4, "the elapsed time stays the first's")
        #expect(abs(first.milliseconds(at: 1) - 10) < 0.01)
        let empty = LatencySummary()
        #expect(empty.milliseconds(at: 0.5).isNaN)
        #expect(empty.perSecond == 0)
    }
}
