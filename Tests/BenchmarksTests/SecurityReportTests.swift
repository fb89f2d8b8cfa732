import Benchmarks
import Foundation
import Testing
import TestSupport

/// The report of `gatewayctl bench security --report DIR`, written from fixed results and opened in headless
/// Chromium: every chart the data asks for is in the browser's DOM with one mark per figure, the page names nothing
/// outside itself and logs no error, results.json reads back to the same results, and the same results give the
/// same bytes.
@Suite("Security bench report: the page in Chromium, results.json, summary.md")
struct SecurityReportTests {
    let scratch: ScratchDirectory

    init() throws {
        scratch = try ScratchDirectory("security-report")
    }

    /// What the page may not contain: anything fetched from elsewhere, or any script.
    static let outsideReferences = ["http://", "https://", "<script", "src=", "@import", "url(", "<link", "<img", "@font-face"]

    @Test("every chart the data asks for rendered in Chromium with one mark per figure, and the console is silent",
          arguments: SecurityResultsFixture.allCases)
    func pageInChromium(_ fixture: SecurityResultsFixture) async throws {
        let results = fixture.results
        let directory = scratch.url.appendingPathComponent("report")
        try SecurityReport(results: results).write(to: directory)
        let html = try String(contentsOf: directory.appendingPathComponent("index.html"), encoding: .utf8)
        for reference in Self.outsideReferences {
            #expect(!html.lowercased().contains(reference), "the page must not contain \(reference)")
        }

        let page = try await HeadlessChromium.open(directory.appendingPathComponent("index.html"), profile: scratch.url.appendingPathComponent("profile"))
        #expect(page.errors.isEmpty, "Chromium's console: \(page.errors)")
        let drawn = Self.charts(in: page.dom)
        #expect(drawn.map(\.name) == Self.expectedMarks(results).map(\.name), "the charts the data asks for, in order")
        for chart in drawn {
            let expected = Self.expectedMarks(results).first { $0.name == chart.name }?.marks
            #expect(chart.declared > 0, "\(chart.name) declares no data point")
            #expect(chart.declared == expected, "\(chart.name) declares \(chart.declared) marks for \(expected ?? 0) figures")
            #expect(chart.marks == chart.declared, "\(chart.name): \(chart.marks) marks in the DOM, \(chart.declared) declared")
            #expect(chart.titledMarks == chart.marks, "\(chart.name): every mark has a <title> with its figure")
        }

        for title in ["Goals", "Host ↔ crypto processor", "Host ↔ sensor", "Signing and verification", "Mapping and encoding/decoding", "Optimisation"] {
            #expect(page.dom.contains("<h2>\(title)</h2>"), "the section \(title)")
        }
        #expect(page.dom.contains("Test CPU &lt;b&gt;&amp;\"x\"&lt;/b&gt;"), "the CPU's name shown as text, not markup")
        #expect(!page.dom.contains("<b>&amp;"))
        #expect(page.dom.range(of: #"\b(nan|inf|infinity)\b"#, options: [.regularExpression, .caseInsensitive]) == nil,
                "a figure that is not a number reads as a dash")
        if fixture == .empty {
            #expect(page.dom.contains("Not measured in this run."))
        } else {
            #expect(page.dom.contains("P-256 on SoftHSM signs in 0.410 ms at the median"), "the prose quotes the run's figures")
            // The cost of security: TLS adds 0.15 ms to the send; signatures alone add nothing to it.
            #expect(page.dom.contains(#"<th scope="row">send_to_ack</th><td class="figure">+0.150</td><td class="figure">0</td>"#))
            #expect(page.dom.contains("no batch</th><td class=\"figure\">50</td><td class=\"figure\">150</td>"), "the load table's 150 ms card, 50 meters")
            #expect(page.dom.contains("2 → 1305, grows"), "a backlog that grows says so")
        }
    }

    @Test("results.json reads back to the same results, summary.md has the goals in under 80 lines, same results give same bytes")
    func filesBesideThePage() throws {
        let results = SecurityResultsFixture.fullRun
        let directory = scratch.url.appendingPathComponent("report")
        try SecurityReport(results: results).write(to: directory)
        let json = try Data(contentsOf: directory.appendingPathComponent("results.json"))
        #expect(try SecurityResults(json: json) == results)

        let summary = try String(contentsOf: directory.appendingPathComponent("summary.md"), encoding: .utf8)
        let lines = summary.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count < 80, "summary.md has \(lines.count) lines")
        #expect(summary.contains("| goal | target | measured | verdict |\n|---|---|---|---|"))
        for goal in results.goals {
            #expect(summary.contains("| \(goal.name) |"), "goal \(goal.name)")
        }
        #expect(summary.contains("| moonshot | 100 readings/s through one 150 ms card | – | not measured |"))
        #expect(summary.contains("mechanism") == false, "a skip's reason is the page's, not the summary's")

        let again = scratch.url.appendingPathComponent("again")
        try SecurityReport(results: results).write(to: again)
        for name in ["index.html", "results.json", "summary.md"] {
            let first = try Data(contentsOf: directory.appendingPathComponent(name))
            let second = try Data(contentsOf: again.appendingPathComponent(name))
            #expect(first == second, "\(name) is deterministic")
        }
    }

    @Test("a report directory that is a file: one line naming it and what to give instead")
    func directoryIsAFile() throws {
        let file = scratch.url.appendingPathComponent("taken")
        try Data("x".utf8).write(to: file)
        #expect(throws: SecurityReportError.notADirectory(path: file.path)) {
            try SecurityReport(results: SecurityResultsFixture.fullRun).write(to: file)
        }
        let message = SecurityReportError.notADirectory(path: file.path).description
        #expect(!message.contains("\n") && message.contains(file.path) && message.contains("give --report a directory"))
    }

    @Test("the console check catches a page that logs an error, so the silence above means something")
    func consoleCheckSeesErrors() async throws {
        let page = scratch.url.appendingPathComponent("noisy.html")
        try Data("<!DOCTYPE html><p>x</p><script>console.error('boom'); missingFunction();</script>".utf8).write(to: page)
        let opened = try await HeadlessChromium.open(page, profile: scratch.url.appendingPathComponent("profile"))
        #expect(opened.errors.contains { $0.contains("boom") })
        #expect(opened.errors.contains { $0.contains("Uncaught ReferenceError") })
    }

    /// A chart in the DOM: its name, the marks it says it drew, the marks there are, and those with a title.
    struct DrawnChart {
        var name: String
        var declared: Int
        var marks: Int
        var titledMarks: Int
    }

    static func charts(in dom: String) -> [DrawnChart] {
        let chart = /<svg class="chart" data-chart="([^"]+)" data-points="(\d+)"[^>]*>(.*?)<\/svg>/.dotMatchesNewlines()
        return dom.matches(of: chart).map { match in
            let body = String(match.output.3)
            return DrawnChart(name: String(match.output.1), declared: Int(match.output.2) ?? -1,
                              marks: body.matches(of: /class="mark"/).count,
                              titledMarks: body.matches(of: /class="mark"[^>]*><title>[^<]+<\/title>/).count)
        }
    }

    /// The charts `results` asks for, in the page's order, each with one mark per finite figure: worked out here
    /// from the model, not from the renderer.
    static func expectedMarks(_ results: SecurityResults) -> [(name: String, marks: Int)] {
        let stacked: Set = ["modbus", "build", "outbox_commit", "encode", "signature", "sign_commit", "send_to_ack", "deliver_commit",
                            "verify", "store_commit", "end_to_end"]
        let finite = { (values: [Double?]) in values.compactMap { $0 }.filter(\.isFinite).count }
        let charts: [(name: String, marks: Int)] = [
            ("stage-latency", results.configurations.map { finite($0.stages.filter { stacked.contains($0.stage) }.map(\.p50)) }.reduce(0, +)),
            ("latency-cdf", results.configurations.map { finite($0.endToEndPercentiles) }.reduce(0, +)),
            ("load", results.load.filter(\.cardDelay.isFinite).map(\.sustained).filter(\.isFinite).count),
            ("token-link", results.tokenLink.map { finite([$0.cardDelay, $0.link, $0.softhsm?.p50]) }.reduce(0, +)),
            ("verification", results.verification.map { finite([$0.fullPerSecond, $0.signaturePerSecond, $0.opensslPerSecond]) }.reduce(0, +)),
            ("signers", results.signers.filter { $0.skipped == nil }.map { finite([$0.signature.p50, $0.verification.p50]) }.reduce(0, +)),
        ]
        return charts.filter { $0.marks > 0 }
    }
}
