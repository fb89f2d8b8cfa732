/// One section of the page: a heading, prose drawn from the figures, charts, and the tables that give each chart's
/// figures as numbers (a chart is read by eye, a table is what a reader quotes).
struct ReportSection {
    /// The fragment the page's contents link to.
    var anchor: String
    var title: String
    var paragraphs: [String] = []
    /// A list after the paragraphs (the optimisations tried).
    var items: [String] = []
    var charts: [Markup] = []
    var tables: [ReportTable] = []
    /// Long tables (every percentile) folded under a `<details>`, which opens without a script.
    var folded: [ReportTable] = []
    /// Said when the section has no chart and no table row at all.
    var emptyNote: String?

    var html: Markup {
        var markup = Markup()
        markup.element("section", ["id": anchor]) { section in
            section.newline()
            section.element("h2", text: title)
            section.newline()
            for paragraph in paragraphs {
                section.element("p", text: paragraph)
                section.newline()
            }
            if !items.isEmpty {
                section.element("ul") { list in
                    for item in items {
                        list.newline()
                        list.element("li", text: item)
                    }
                }
                section.newline()
            }
            if let emptyNote, charts.isEmpty, tables.allSatisfy(\.rows.isEmpty) {
                section.element("p", ["class": "empty"], text: emptyNote)
                section.newline()
                return
            }
            for chart in charts {
                section.element("figure") { $0.append(chart) }
                section.newline()
            }
            for table in tables { section.append(table.html) }
            for table in folded where !table.rows.isEmpty {
                section.element("details") { details in
                    details.element("summary", text: table.caption)
                    details.append(table.html)
                }
                section.newline()
            }
        }
        markup.newline()
        return markup
    }
}

extension ReportSection {
    /// A section of charts and tables under a paragraph saying what they show; when the run measured none of their
    /// figures the section says "not measured in this run" in their place.
    init(figures anchor: String, title: String, about: String, charts: [Markup], tables: [ReportTable], folded: [ReportTable] = []) {
        self.init(anchor: anchor, title: title, paragraphs: [about], charts: charts, tables: tables, folded: folded,
                  emptyNote: ReportTable.notMeasured)
    }
}
