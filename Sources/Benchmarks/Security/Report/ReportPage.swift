/// The report's HTML page: one self-contained file (inline CSS and SVG, no script, no font, no image, no address
/// anywhere), readable by someone who has never seen the project: what was measured on what, the goals, the seed's
/// questions answered, then every chart with its table.
struct ReportPage {
    let results: SecurityResults

    init(_ results: SecurityResults) {
        self.results = results
    }

    /// The sections in the page's order.
    var sections: [ReportSection] {
        let overview = RunOverview(results)
        var configurations = ReportSection(anchor: "configurations", title: "Configurations and versions")
        configurations.tables = [overview.configurations, overview.versions]
        return [GoalsTable(results).section] + SeedAnswers(results).sections + [
            StageLatencySection(results).section,
            LatencyDistributionSection(results).section,
            LoadSection(results).section,
            TokenLinkSection(results).section,
            VerificationSection(results).section,
            SignersSection(results).section,
            configurations,
        ]
    }

    var html: String {
        let sections = sections
        var page = Markup()
        page.element("html", ["lang": "en"]) { html in
            html.newline()
            html.element("head") { head in
                head.empty("meta", ["charset": "utf-8"], void: true)
                head.empty("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"], void: true)
                head.element("title", text: "What security costs: gatewayctl bench security")
                head.element("style") { $0.append(Markup.trusted(ReportStyle.css)) }
            }
            html.newline()
            html.element("body") { body in
                body.newline()
                body.element("h1", text: "What security costs, stage by stage")
                body.newline()
                for paragraph in RunOverview(results).paragraphs {
                    body.element("p", text: paragraph)
                    body.newline()
                }
                body.element("nav") { nav in
                    nav.element("ol") { list in
                        for section in sections {
                            list.element("li") { $0.element("a", ["href": "#" + section.anchor], text: section.title) }
                        }
                    }
                }
                body.newline()
                for section in sections { body.append(section.html) }
            }
            html.newline()
        }
        return "<!DOCTYPE html>\n" + page.text + "\n"
    }
}
