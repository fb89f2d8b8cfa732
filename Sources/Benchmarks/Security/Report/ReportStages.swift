import Gateway

/// The stages the report stacks, in pipeline order: the gateway's own (`StageTimes.Stage`) then the harness's at the
/// head-end. `end_to_end` is not among them: it spans the others, and where stages overlap it is less than their sum,
/// so it is shown beside the stack, never in it.
enum ReportStages {
    static let endToEnd = StageTimes.Stage.endToEnd.rawValue
    static let stacked: [String] = StageTimes.Stage.allCases.map(\.rawValue).filter { $0 != endToEnd } + ["verify", "store_commit"]

    /// The stacked stages any of `runs` measured, in pipeline order, then any stage the report does not know (a
    /// stage added later still shows in the tables).
    static func present(in runs: [ConfigurationRun]) -> [String] {
        let measured = Set(runs.flatMap { $0.stages.map(\.stage) })
        let unknown = runs.flatMap { $0.stages.map(\.stage) }.filter { !stacked.contains($0) && $0 != endToEnd }
        return stacked.filter(measured.contains) + unknown.uniqued
    }
}
