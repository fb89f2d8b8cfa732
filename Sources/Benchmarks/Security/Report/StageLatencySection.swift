/// Where a reading's time goes in each configuration, stage by stage, and what switching security on costs: each
/// stage's median minus the plain configuration's.
struct StageLatencySection {
    let configurations: [ConfigurationRun]

    init(_ results: SecurityResults) {
        configurations = results.configurations
    }

    /// The stages in the tables' rows: every stage measured, `end_to_end` last.
    private var stages: [String] {
        ReportStages.present(in: configurations) + [ReportStages.endToEnd]
    }

    private var plain: ConfigurationRun? { configurations.first { $0.name == "plain" } }

    /// What the chart and the tables show, above them.
    static let about = "Each bar stacks one configuration's stage medians (p50, one reading a second); the dot beside it is the "
        + "configuration's end-to-end median, which is below the stack's top where stages overlap. "
        + "The tables give the same medians, their 99th percentiles, and the cost of security: each stage's "
        + "median minus the plain configuration's."

    var section: ReportSection {
        ReportSection(figures: "stages", title: "Latency stage by stage", about: Self.about, charts: chart.map { [$0] } ?? [],
                      tables: [figureTable("Stage medians (p50, ms)", \.p50), costTable, figureTable("Stage 99th percentiles (p99, ms)", \.p99)])
    }

    /// The stacked bars, or nothing when no configuration measured a stage.
    var chart: Markup? {
        let bars = configurations.compactMap { run -> StackedBarChart.Bar? in
            let segments = ReportStages.stacked.enumerated().compactMap { index, stage -> (series: Int, value: Double)? in
                guard let figure = run.stage(stage), figure.p50.isFinite else { return nil }
                return (series: index, value: figure.p50)
            }
            let marker = run.stage(ReportStages.endToEnd).map(\.p50).flatMap { $0.isFinite ? $0 : nil }
            guard !segments.isEmpty || marker != nil else { return nil }
            return StackedBarChart.Bar(label: run.name, segments: segments, marker: marker)
        }
        guard !bars.isEmpty else { return nil }
        return StackedBarChart(name: "stage-latency", summary: "Stage medians stacked per configuration, in milliseconds",
                               axisLabel: "median per stage (ms)", series: ReportStages.stacked, markerLabel: "end to end (p50)",
                               bars: bars).svg
    }

    /// A figure of every stage (rows) in every configuration (columns); the signed request round trip as one more row.
    private func figureTable(_ caption: String, _ figure: KeyPath<StageFigure, Double>) -> ReportTable {
        var rows = stages.map { stage in [stage] + configurations.map { Figure.milliseconds($0.stage(stage)?[keyPath: figure]) } }
        if configurations.contains(where: { $0.requestRoundTrip != nil }) {
            rows.append(["signed request round trip"] + configurations.map { Figure.milliseconds($0.requestRoundTrip?[keyPath: figure]) })
        }
        return ReportTable(caption: caption, header: ["stage"] + configurations.map(\.name),
                           rows: configurations.isEmpty ? [] : rows)
    }

    /// Each stage's median minus plain's, in every configuration that is not plain.
    var costTable: ReportTable {
        let secured = configurations.filter { $0.name != "plain" }
        var table = ReportTable(caption: "Cost of security: stage median minus plain's (ms)", header: ["stage"] + secured.map(\.name),
                                rows: [])
        guard let plain else {
            table.emptyNote = "Not measured in this run: there is no plain configuration to compare with."
            return table
        }
        table.rows = secured.isEmpty ? [] : stages.map { stage in
            [stage] + secured.map { run in Figure.difference(Self.cost(of: stage, in: run, over: plain)) }
        }
        return table
    }

    /// `run`'s median of `stage` minus plain's; a stage plain does not have (the signature) costs all of its time.
    static func cost(of stage: String, in run: ConfigurationRun, over plain: ConfigurationRun) -> Double? {
        guard let secured = run.stage(stage)?.p50 else { return nil }
        return secured - (plain.stage(stage)?.p50 ?? 0)
    }
}
