/// How end-to-end latency spreads in each configuration: the cumulative distribution from its percentiles, so a
/// reader sees the tail, not only the median.
struct LatencyDistributionSection {
    /// Configurations with at least one percentile measured.
    let runs: [ConfigurationRun]

    init(_ results: SecurityResults) {
        runs = results.configurations.filter { $0.endToEndPercentiles.contains(where: \.isFinite) }
    }

    /// The percentiles the visible table shows; all hundred are in the table under it, folded.
    static let headline = [1, 10, 25, 50, 75, 90, 99, 100]

    /// What the chart and the tables show, above them.
    static let about = "Each line is one configuration's end-to-end latency at the 1st to the 100th percentile: a point at (x ms, "
        + "y %) says y % of the readings took at most x ms."

    var section: ReportSection {
        ReportSection(figures: "distribution", title: "End-to-end latency distribution", about: Self.about,
                      charts: runs.isEmpty ? [] : [chart], tables: [table(Self.headline, caption: "End-to-end latency at chosen percentiles (ms)")],
                      folded: [allPercentiles])
    }

    private var chart: Markup {
        let series = runs.map { run in
            LineChart.Series(label: run.name, points: run.endToEndPercentiles.enumerated().map { (x: $1, y: Double($0 + 1)) })
        }
        return LineChart(name: "latency-cdf", summary: "Cumulative distribution of end-to-end latency per configuration",
                         xLabel: "end-to-end latency (ms)", yLabel: "readings at or below (%)", series: series,
                         describe: { "\($0): \(Figure.fixed($2, 0)) % within \(Figure.milliseconds($1)) ms" },
                         pointRadius: 1.6).svg
    }

    /// Every percentile, for the folded table.
    var allPercentiles: ReportTable {
        let count = runs.map(\.endToEndPercentiles.count).max() ?? 0
        return table(Array(1...max(count, 1)), caption: "End-to-end latency at every percentile (ms)")
    }

    private func table(_ percentiles: [Int], caption: String) -> ReportTable {
        let rows = percentiles.map { percentile in
            ["p\(percentile)"] + runs.map { run in
                Figure.milliseconds(run.endToEndPercentiles.indices.contains(percentile - 1) ? run.endToEndPercentiles[percentile - 1] : nil)
            }
        }
        return ReportTable(caption: caption, header: ["percentile"] + runs.map(\.name), rows: runs.isEmpty ? [] : rows)
    }
}
