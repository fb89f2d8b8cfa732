import Foundation

/// The module table of docs/ARCHITECTURE.md: the first table under its `## Modules` heading, one row per target,
/// the module's name in backticks in the first column and its kind in the second.
struct ModuleTable {
    struct Row {
        var module: String
        var kind: String
    }

    var rows: [Row]

    init(markdown: String) {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let section = lines.drop { $0 != "## Modules" }.dropFirst().prefix { !$0.hasPrefix("## ") }
        let table = section.drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }
        rows = table.dropFirst(2).map { line in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            return Row(module: cells.first.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "`")) } ?? "",
                       kind: cells.dropFirst().first ?? "")
        }
    }

    /// What a reader must change in the table to match the manifest, one line each; empty when they agree.
    func differences(from manifest: PackageManifestTargets) -> [String] {
        let declared = Dictionary(manifest.targets.map { ($0.name, $0.kind) }, uniquingKeysWith: { first, _ in first })
        var problems: [String] = []
        var seen: Set<String> = []
        for row in rows {
            guard seen.insert(row.module).inserted else {
                problems.append("`\(row.module)` has two rows; keep one")
                continue
            }
            guard let kind = declared[row.module] else {
                problems.append("`\(row.module)` has a row but is no target of Package.swift; remove the row or rename it")
                continue
            }
            if row.kind != kind.rawValue {
                problems.append("`\(row.module)` is a \(kind.rawValue) in Package.swift, but its row says \"\(row.kind)\"")
            }
        }
        for target in manifest.targets where !seen.contains(target.name) {
            problems.append("`\(target.name)` (\(target.kind.rawValue)) is a target of Package.swift without a row; add one")
        }
        let misplaced = zip(rows, manifest.targets).enumerated().first { $0.element.0.module != $0.element.1.name }
        if problems.isEmpty, let misplaced {
            let (row, target) = misplaced.element
            problems.append("row \(misplaced.offset + 1) is `\(row.module)` where Package.swift lists `\(target.name)`; "
                + "keep the rows in the manifest's order (lowest layer first)")
        }
        return problems
    }
}
