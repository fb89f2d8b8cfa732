/// Every signer with every algorithm it offers, in the product's configuration: the signature at the gateway, the
/// verification at the head-end, and the reading's end-to-end time. A combination the token lacks says why.
struct SignersSection {
    let runs: [SignerRun]

    init(_ results: SecurityResults) {
        runs = results.signers
    }

    /// The combinations that were measured, which the chart draws.
    var measured: [SignerRun] { runs.filter { $0.skipped == nil } }

    /// What the chart and the table show, above them.
    static let about = "The signature's median at the gateway and the verification's median at the head-end, for each signer "
        + "and algorithm; the table adds the 99th percentiles and the end-to-end median of a reading."

    var section: ReportSection {
        ReportSection(figures: "signers", title: "Signers and algorithms", about: Self.about,
                      charts: measured.isEmpty ? [] : [chart], tables: [table])
    }

    private var chart: Markup {
        GroupedBarChart(name: "signers", summary: "Signature and verification medians per signer and algorithm",
                        axisLabel: "median (ms)", series: ["signature", "verification"],
                        categories: measured.map { "\($0.signer) \($0.algorithm)" },
                        values: measured.map { [$0.signature.p50, $0.verification.p50] },
                        describe: { "\(Figure.milliseconds($0)) ms" }).svg
    }

    var table: ReportTable {
        var table = ReportTable(caption: "Signers × algorithms (ms)",
                    header: ["signer", "algorithm", "signature p50", "signature p99", "verification p50", "verification p99",
                             "end to end p50", "note"],
                    rows: runs.map { run in
                        guard let skipped = run.skipped else {
                            return [run.signer, run.algorithm, Figure.milliseconds(run.signature.p50), Figure.milliseconds(run.signature.p99),
                                    Figure.milliseconds(run.verification.p50), Figure.milliseconds(run.verification.p99),
                                    Figure.milliseconds(run.endToEnd?.p50), ""]
                        }
                        return [run.signer, run.algorithm] + Array(repeating: Figure.missing, count: 5) + ["not measured: " + skipped]
                    })
        table.textColumns = 2
        return table
    }
}
