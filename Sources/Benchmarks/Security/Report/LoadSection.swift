/// Slow cards under load: the readings a second a gateway sustains against its card's latency, with and without
/// batch signatures, beside what its meters offer; a backlog that grows says the gateway does not keep up.
struct LoadSection {
    let runs: [LoadRun]

    init(_ results: SecurityResults) {
        runs = results.load
    }

    /// "no batch" or "batch 64", the series' and the table's name for how a run signed.
    static func batchLabel(_ batch: Int?) -> String { batch.map { "batch \($0)" } ?? "no batch" }

    static func seriesLabel(_ run: LoadRun) -> String { "\(batchLabel(run.batch)), \(meters(run.meters))" }

    /// "1 meter", "50 meters".
    static func meters(_ count: Int) -> String { count == 1 ? "1 meter" : "\(count) meters" }

    /// What the chart and the tables show, above them.
    static let about = "Each line is one way of signing at one number of meters, each meter polled once a second: the readings a "
        + "second the gateway delivered and had acknowledged, against the virtual card's delay per signature. "
        + "Dashed lines are what the meters offered. The table says where the backlog of readings not yet "
        + "acknowledged grew over the measured window."

    var section: ReportSection {
        ReportSection(figures: "load", title: "Sustained readings against card latency", about: Self.about,
                      charts: runs.isEmpty ? [] : [chart], tables: [table])
    }

    /// The runs in a stable order: by meters, then batch (none first), then card delay.
    private var ordered: [LoadRun] {
        runs.sorted { ($0.meters, $0.batch ?? 0, $0.cardDelay) < ($1.meters, $1.batch ?? 0, $1.cardDelay) }
    }

    private var chart: Markup {
        var series: [LineChart.Series] = []
        for run in ordered where !series.contains(where: { $0.label == Self.seriesLabel(run) }) {
            let points = ordered.filter { $0.batch == run.batch && $0.meters == run.meters }.map { (x: $0.cardDelay, y: $0.sustained) }
            series.append(LineChart.Series(label: Self.seriesLabel(run), points: points))
        }
        let delays = runs.map(\.cardDelay).filter(\.isFinite)
        var offered: [LineChart.Series] = []
        for run in ordered where !offered.contains(where: { $0.label == "offered, \(Self.meters(run.meters))" }) {
            guard let low = delays.min(), let high = delays.max() else { break }
            offered.append(LineChart.Series(label: "offered, \(Self.meters(run.meters))", points: [(x: low, y: run.offered), (x: high, y: run.offered)],
                                            reference: true))
        }
        return LineChart(name: "load", summary: "Sustained readings a second against the card's delay, with and without batching",
                         xLabel: "card delay per signature (ms)", yLabel: "readings a second sustained", series: series + offered,
                         describe: { "\($0): \(Figure.rate($2))/s at a \(Figure.setting($1)) ms card" }).svg
    }

    var table: ReportTable {
        ReportTable(caption: "Load runs", header: ["signing", "meters", "card delay (ms)", "offered/s", "sustained/s", "backlog",
                                                   "end to end p50 (ms)", "p99 (ms)", "window (s)"],
                    rows: ordered.map { run in
                        [Self.batchLabel(run.batch), String(run.meters), Figure.setting(run.cardDelay), Figure.rate(run.offered),
                         Figure.rate(run.sustained), Self.backlog(run), Figure.milliseconds(run.endToEnd?.p50),
                         Figure.milliseconds(run.endToEnd?.p99), Figure.rate(run.seconds)]
                    })
    }

    /// "12 → 900, grows" or "3 → 4, steady".
    static func backlog(_ run: LoadRun) -> String {
        "\(run.backlogStart) → \(run.backlogEnd), \(run.backlogGrows ? "grows" : "steady")"
    }
}
