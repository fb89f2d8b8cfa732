/// What the card's link costs: each signature on the virtual card split into the delay the card was told to take
/// (the stand-in for a real card's time on chip) and the rest, the APDUs through pcscd, OpenSC and PKCS#11.
struct TokenLinkSection {
    let runs: [TokenLinkRun]

    init(_ results: SecurityResults) {
        runs = results.tokenLink.sorted { $0.cardDelay < $1.cardDelay }
    }

    static let series = ["on-card delay", "link (pcscd, OpenSC, PKCS#11)"]

    /// What the chart and the tables show, above them.
    static let about = "Each bar is the virtual card's signature median at one configured on-card delay, split into that delay "
        + "and the link: the rest of the signature's time, spent in APDU round trips through pcscd and OpenSC. "
        + "The dot is SoftHSM's signature in the same run, for scale."

    var section: ReportSection {
        ReportSection(figures: "token-link", title: "The token link against the signature", about: Self.about,
                      charts: runs.isEmpty ? [] : [chart], tables: [table])
    }

    private var chart: Markup {
        let bars = runs.map { run in
            StackedBarChart.Bar(label: "\(Figure.setting(run.cardDelay)) ms card",
                                segments: [(series: 0, value: run.cardDelay), (series: 1, value: run.link)].filter { $0.value.isFinite },
                                marker: run.softhsm.map(\.p50).flatMap { $0.isFinite ? $0 : nil })
        }
        return StackedBarChart(name: "token-link", summary: "Virtual card signature split into on-card delay and link",
                               axisLabel: "signature median (ms)", series: Self.series, markerLabel: "SoftHSM signature (p50)",
                               bars: bars).svg
    }

    var table: ReportTable {
        ReportTable(caption: "Card signatures and their link (ms)",
                    header: ["on-card delay", "signature p50", "signature p99", "link (p50 − delay)", "SoftHSM p50"],
                    rows: runs.map { run in
                        [Figure.setting(run.cardDelay), Figure.milliseconds(run.signature.p50), Figure.milliseconds(run.signature.p99),
                         Figure.milliseconds(run.link), Figure.milliseconds(run.softhsm?.p50)]
                    })
    }
}
