import Foundation

/// One SVG chart: the plot area, its axes with ticks and labels, a legend, and the data marks, each mark with a
/// `<title>` so that hovering shows its figure.
///
/// The finished `<svg>` says what it is and how many marks it drew (`class="chart" data-chart="NAME"
/// data-points="N"`, each mark `class="mark"`): the report's test counts them in the DOM Chromium built, so a chart
/// that lost its data, or a page the browser parsed differently from what was written, shows there.
struct ChartCanvas {
    static let width = 800.0
    static let height = 380.0
    /// Room for the y axis's labels on the left, the legend on the right, rotated category labels below.
    static let plotLeft = 72.0
    static let plotRight = width - 210
    static let plotTop = 16.0
    static let plotBottom = height - 100

    let name: String
    /// What the chart shows, for screen readers.
    let summary: String
    private var content = Markup()
    private(set) var marks = 0

    init(name: String, summary: String) {
        self.name = name
        self.summary = summary
    }

    /// A bar or a bar's segment, `value` in its title.
    mutating func bar(x: Double, width: Double, from bottom: Double, to top: Double, colour: String, title: String) {
        let y = min(bottom, top)
        marks += 1
        content.element("rect", ["class": "mark", "x": Self.unit(x), "y": Self.unit(y), "width": Self.unit(width),
                                 "height": Self.unit(abs(bottom - top)), "fill": colour]) { $0.element("title", text: title) }
        content.newline()
    }

    /// A point of a line, or a marker over a bar.
    mutating func point(x: Double, y: Double, radius: Double = 2.5, colour: String, title: String) {
        marks += 1
        content.element("circle", ["class": "mark", "cx": Self.unit(x), "cy": Self.unit(y), "r": Self.unit(radius),
                                   "fill": colour]) { $0.element("title", text: title) }
        content.newline()
    }

    /// A line through points already placed (no mark: its points are the marks, or it is a reference line).
    mutating func line(_ points: [(x: Double, y: Double)], colour: String, dashed: Bool = false, title: String? = nil) {
        guard let first = points.first else { return }
        let path = "M" + Self.unit(first.x) + " " + Self.unit(first.y)
            + points.dropFirst().map { " L" + Self.unit($0.x) + " " + Self.unit($0.y) }.joined()
        content.element("path", ["class": dashed ? "reference" : "line", "d": path, "stroke": colour,
                                 "stroke-dasharray": dashed ? "6 4" : "none"]) { path in
            if let title { path.element("title", text: title) }
        }
        content.newline()
    }

    /// The vertical axis: a grid line and a label at each tick, the axis's name turned along it.
    mutating func verticalAxis(_ scale: ChartScale, label: String) {
        for tick in scale.ticks {
            let y = scale.position(tick)
            content.empty("line", ["class": "grid", "x1": Self.unit(Self.plotLeft), "x2": Self.unit(Self.plotRight),
                                   "y1": Self.unit(y), "y2": Self.unit(y)])
            content.element("text", ["class": "tick", "x": Self.unit(Self.plotLeft - 6), "y": Self.unit(y + 4),
                                     "text-anchor": "end"], text: scale.label(tick))
        }
        let middle = (Self.plotTop + Self.plotBottom) / 2
        content.element("text", ["class": "axis-label", "x": "16", "y": Self.unit(middle), "text-anchor": "middle",
                                 "transform": "rotate(-90 16 \(Self.unit(middle)))"], text: label + Self.kindNote(scale))
        content.empty("line", ["class": "axis", "x1": Self.unit(Self.plotLeft), "x2": Self.unit(Self.plotLeft),
                               "y1": Self.unit(Self.plotTop), "y2": Self.unit(Self.plotBottom)])
        content.newline()
    }

    /// The horizontal axis of figures (a line chart's x).
    mutating func horizontalAxis(_ scale: ChartScale, label: String) {
        for tick in scale.ticks {
            let x = scale.position(tick)
            content.empty("line", ["class": "grid", "x1": Self.unit(x), "x2": Self.unit(x),
                                   "y1": Self.unit(Self.plotTop), "y2": Self.unit(Self.plotBottom)])
            content.element("text", ["class": "tick", "x": Self.unit(x), "y": Self.unit(Self.plotBottom + 16),
                                     "text-anchor": "middle"], text: scale.label(tick))
        }
        baseline()
        content.element("text", ["class": "axis-label", "x": Self.unit((Self.plotLeft + Self.plotRight) / 2),
                                 "y": Self.unit(Self.plotBottom + 40), "text-anchor": "middle"], text: label + Self.kindNote(scale))
        content.newline()
    }

    /// The horizontal axis of categories (a bar chart's groups), their names turned so long ones fit.
    mutating func categoryAxis(_ categories: [String], centres: [Double]) {
        for (category, x) in zip(categories, centres) {
            let y = Self.plotBottom + 14
            content.element("text", ["class": "tick", "x": Self.unit(x), "y": Self.unit(y), "text-anchor": "end",
                                     "transform": "rotate(-30 \(Self.unit(x)) \(Self.unit(y)))"], text: category)
        }
        baseline()
        content.newline()
    }

    /// A legend entry: a series' name and how its marks look.
    struct LegendEntry {
        enum Style { case swatch, dashed, dot }
        var label: String
        var colour: String
        var style = Style.swatch
    }

    /// The legend, right of the plot.
    mutating func legend(_ entries: [LegendEntry]) {
        let x = Self.plotRight + 16
        for (index, entry) in entries.enumerated() {
            let y = Self.plotTop + 8 + Double(index) * 18
            switch entry.style {
            case .swatch:
                content.empty("rect", ["class": "swatch", "x": Self.unit(x), "y": Self.unit(y - 6), "width": "14",
                                       "height": "10", "fill": entry.colour])
            case .dashed:
                content.empty("line", ["class": "reference", "x1": Self.unit(x), "x2": Self.unit(x + 14), "y1": Self.unit(y),
                                       "y2": Self.unit(y), "stroke": entry.colour, "stroke-dasharray": "4 2"])
            case .dot:
                content.empty("circle", ["class": "swatch", "cx": Self.unit(x + 7), "cy": Self.unit(y - 1), "r": "4",
                                         "fill": entry.colour])
            }
            content.element("text", ["class": "legend", "x": Self.unit(x + 20), "y": Self.unit(y + 3)], text: entry.label)
        }
        content.newline()
    }

    /// The finished chart. No `xmlns`: the HTML parser puts an inline `<svg>` in the SVG namespace itself, and the page
    /// names no address at all.
    var svg: Markup {
        var markup = Markup()
        markup.element("svg", ["class": "chart", "data-chart": name, "data-points": String(marks),
                               "viewBox": "0 0 \(Int(Self.width)) \(Int(Self.height))", "role": "img",
                               "aria-label": summary]) { svg in
            svg.newline()
            svg.append(content)
        }
        markup.newline()
        return markup
    }

    private mutating func baseline() {
        content.empty("line", ["class": "axis", "x1": Self.unit(Self.plotLeft), "x2": Self.unit(Self.plotRight),
                               "y1": Self.unit(Self.plotBottom), "y2": Self.unit(Self.plotBottom)])
    }

    private static func kindNote(_ scale: ChartScale) -> String {
        scale.kind == .logarithmic ? " (logarithmic)" : ""
    }

    /// SVG coordinates to a tenth of a unit: finer than a pixel, and the same text for the same figure.
    static func unit(_ value: Double) -> String { Figure.fixed(value, 1) }
}
