/// The head-end's verification rate per core beside `openssl speed`'s in the same run: how close the product's
/// checks come to the library's bare signature check, and what the checks beyond the signature cost.
struct VerificationSection {
    let runs: [VerificationRun]

    init(_ results: SecurityResults) {
        runs = results.verification
    }

    static let series = ["full verification", "signature only", "openssl speed"]

    /// What the chart and the table show, above them.
    static let about = "Full verification is every check the head-end makes on a frame (frame, certificate, originator, "
        + "signature, chain and CRL, content); signature only is the signature check alone; openssl speed is "
        + "openssl's verify rate on one core in the same run. Ratios are to openssl's rate."

    var section: ReportSection {
        ReportSection(figures: "verification", title: "Verification per core against openssl", about: Self.about,
                      charts: runs.isEmpty ? [] : [chart], tables: [table])
    }

    var table: ReportTable {
        ReportTable(caption: "Verifications a second, one core",
                    header: ["algorithm", "full/s", "signature only/s", "openssl/s", "full ÷ openssl", "signature ÷ openssl"],
                    rows: runs.map { run in
                        [run.algorithm, Figure.rate(run.fullPerSecond), Figure.rate(run.signaturePerSecond),
                         Figure.rate(run.opensslPerSecond), Figure.ratio(run.fullRatio), Figure.ratio(Self.signatureRatio(run))]
                    })
    }

    static func signatureRatio(_ run: VerificationRun) -> Double? {
        run.opensslPerSecond.flatMap { $0 > 0 ? run.signaturePerSecond / $0 : nil }
    }

    private var chart: Markup {
        GroupedBarChart(name: "verification", summary: "Verifications a second per core, per algorithm",
                        axisLabel: "verifications a second, one core", series: Self.series, categories: runs.map(\.algorithm),
                        values: runs.map { [$0.fullPerSecond, $0.signaturePerSecond, $0.opensslPerSecond] },
                        describe: { "\(Figure.rate($0))/s" }).svg
    }
}
