/// A table of figures that the page shows as HTML and summary.md as Markdown: one model, so the two never disagree.
struct ReportTable {
    /// What the table holds, above it on the page.
    var caption: String
    var header: [String]
    var rows: [[String]]
    /// Said in place of the table when it has no row.
    var emptyNote = ReportTable.notMeasured
    /// How many leading columns hold words (a name, a target), aligned left; the others hold figures, aligned right
    /// so their digits line up.
    var textColumns = 1

    static let notMeasured = "Not measured in this run."

    init(caption: String, header: [String], rows: [[String]]) {
        self.caption = caption
        self.header = header
        self.rows = rows
    }

    /// A `<table>`, figures right-aligned (every column but the first holds figures or verdicts), or the note
    /// when there is nothing to show.
    var html: Markup {
        var markup = Markup()
        guard !rows.isEmpty else {
            markup.element("p", ["class": "empty"], text: "\(caption): \(emptyNote.lowercasedFirst)")
            return markup
        }
        markup.element("table") { table in
            table.element("caption", text: caption)
            table.element("thead") { head in
                head.element("tr") { row in
                    for cell in header { row.element("th", ["scope": "col"], text: cell) }
                }
            }
            table.element("tbody") { body in
                for cells in rows {
                    body.newline()
                    body.element("tr") { row in
                        for (index, cell) in cells.enumerated() {
                            if index == 0 {
                                row.element("th", ["scope": "row"], text: cell)
                            } else {
                                row.element("td", ["class": index < textColumns ? "text" : "figure"], text: cell)
                            }
                        }
                    }
                }
            }
        }
        markup.newline()
        return markup
    }

    /// A GitHub Markdown table under a bold caption, every cell escaped (see `markdownEscaped`).
    var markdown: [String] {
        guard !rows.isEmpty else { return ["**\(caption)**: \(emptyNote.lowercasedFirst)"] }
        func line(_ cells: [String]) -> String {
            "| " + cells.map(\.markdownEscaped).joined(separator: " | ") + " |"
        }
        let rule = "|" + header.indices.map { $0 < textColumns ? "---|" : "---:|" }.joined()
        return ["**\(caption)**", "", line(header), rule] + rows.map(line)
    }
}
