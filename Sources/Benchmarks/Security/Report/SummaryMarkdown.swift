/// summary.md: the goals and each section's headline figures as Markdown tables, short enough (under 80 lines) to
/// paste into a README or an issue note; the page and results.json hold the rest.
struct SummaryMarkdown {
    let results: SecurityResults

    init(_ results: SecurityResults) {
        self.results = results
    }

    var text: String {
        let overview = RunOverview(results)
        var lines = [
            "# What security costs: gatewayctl bench security",
            "",
            "Run started \(overview.started)\(results.quick ? " (quick run)" : ""), \(Figure.rate(results.seconds)) s; \(overview.machineLine.markdownEscaped).",
            "Times in ms (p50 median, p99 99th percentile), rates per second; – not measured.",
        ]
        for table in [GoalsTable(results).table, endToEnd, signers, load, TokenLinkSection(results).table, VerificationSection(results).table] {
            lines += [""] + table.markdown
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Each configuration's end to end, and its cost over plain.
    var endToEnd: ReportTable {
        let plain = RunFigures(results).plain
        return ReportTable(caption: "End to end per configuration (ms)",
                           header: ["configuration", "readings", "p50", "p99", "p50 − plain's"],
                           rows: results.configurations.map { run in
                               let figure = run.stage(ReportStages.endToEnd)
                               return [run.name, String(run.readings), Figure.milliseconds(figure?.p50), Figure.milliseconds(figure?.p99),
                                       Figure.difference(plain.flatMap { StageLatencySection.cost(of: ReportStages.endToEnd, in: run, over: $0) })]
                           })
    }

    /// Signature medians, an algorithm a row and a signer a column, and the head-end's verification median.
    var signers: ReportTable {
        let runs = results.signers
        let algorithms = runs.map(\.algorithm).uniqued
        let signerNames = runs.map(\.signer).uniqued
        func measured(_ run: SignerRun?) -> SignerRun? { run.flatMap { $0.skipped == nil ? $0 : nil } }
        return ReportTable(caption: "Signature p50 per signer, verification p50 (ms)",
                           header: ["algorithm"] + signerNames + ["verification"],
                           rows: algorithms.map { algorithm in
                               let row = runs.filter { $0.algorithm == algorithm }
                               return [algorithm] + signerNames.map { signer in
                                   Figure.milliseconds(measured(row.first { $0.signer == signer })?.signature.p50)
                               } + [Figure.milliseconds(row.first { $0.skipped == nil }?.verification.p50)]
                           })
    }

    /// Sustained readings a second, a card delay and meter count a row and a way of signing a column.
    var load: ReportTable {
        let points = results.load.map { LoadPoint(cardDelay: $0.cardDelay, meters: $0.meters) }.uniqued.sorted()
        let batches = results.load.map(\.batch).uniqued.sorted { ($0 ?? 0) < ($1 ?? 0) }
        return ReportTable(caption: "Sustained readings/s (backlog grows: \"grows\")",
                           header: ["card (ms)", "meters", "offered"] + batches.map(LoadSection.batchLabel),
                           rows: points.map { point in
                               let runs = results.load.filter { $0.cardDelay == point.cardDelay && $0.meters == point.meters }
                               return [Figure.setting(point.cardDelay), String(point.meters), Figure.rate(runs.first?.offered)]
                                   + batches.map { batch in
                                       guard let run = runs.first(where: { $0.batch == batch }) else { return Figure.missing }
                                       return Figure.rate(run.sustained) + (run.backlogGrows ? " grows" : "")
                                   }
                           })
    }

    /// A row of the load table.
    private struct LoadPoint: Hashable, Comparable {
        var cardDelay: Double
        var meters: Int
        static func < (left: Self, right: Self) -> Bool { (left.cardDelay, left.meters) < (right.cardDelay, right.meters) }
    }
}
