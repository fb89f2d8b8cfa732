/// The goals with what this run measured and the verdict, first on the page and in summary.md: the answer
/// a reader looks for before any chart.
struct GoalsTable {
    let goals: [Goal]

    init(_ results: SecurityResults) {
        goals = results.goals
    }

    static func verdict(_ met: Bool?) -> String {
        switch met {
        case true?: "met"
        case false?: "not met"
        case nil: "not measured"
        }
    }

    var table: ReportTable {
        var table = ReportTable(caption: "Goals", header: ["goal", "target", "measured", "verdict"],
                                rows: goals.map { [$0.name, $0.target, $0.measured, Self.verdict($0.met)] })
        table.textColumns = 4
        return table
    }

    var section: ReportSection {
        var section = ReportSection(anchor: "goals", title: "Goals")
        let met = goals.filter { $0.met == true }.count
        let missed = goals.filter { $0.met == false }.count
        section.paragraphs = goals.isEmpty ? [] : [
            "\(met) of \(goals.count) goals met, \(missed) not met, \(goals.count - met - missed) not measured in this run."
        ]
        section.tables = [table]
        return section
    }
}
