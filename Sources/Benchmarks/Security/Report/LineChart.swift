/// Series of points joined by lines over a horizontal axis of figures: the latency CDFs, sustained readings a second
/// against card latency. A reference series (what was offered) is drawn dashed and has no marks of its own.
struct LineChart {
    struct Series {
        var label: String
        var points: [(x: Double, y: Double)]
        var reference = false
    }

    var name: String
    var summary: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    /// A point's title from its series' label and its two figures.
    var describe: (String, Double, Double) -> String
    var pointRadius = 3.0
    var yFromZero = true

    var svg: Markup {
        let finite = series.map { $0.points.filter { $0.x.isFinite && $0.y.isFinite } }
        let xScale = ChartScale(values: finite.flatMap { $0.map(\.x) }, from: ChartCanvas.plotLeft, to: ChartCanvas.plotRight,
                                fromZero: false)
        let yScale = ChartScale(values: finite.flatMap { $0.map(\.y) }, from: ChartCanvas.plotBottom, to: ChartCanvas.plotTop,
                                fromZero: yFromZero, allowLogarithmic: false)
        var canvas = ChartCanvas(name: name, summary: summary)
        canvas.verticalAxis(yScale, label: yLabel)
        canvas.horizontalAxis(xScale, label: xLabel)
        var legend: [ChartCanvas.LegendEntry] = []
        var colourIndex = 0
        for (line, points) in zip(series, finite) {
            let colour = line.reference ? "#555555" : ChartPalette.colour(colourIndex)
            if !line.reference { colourIndex += 1 }
            let placed = points.map { (x: xScale.position($0.x), y: yScale.position($0.y)) }
            canvas.line(placed, colour: colour, dashed: line.reference, title: line.reference ? line.label : nil)
            if !line.reference {
                for (point, position) in zip(points, placed) {
                    canvas.point(x: position.x, y: position.y, radius: pointRadius, colour: colour,
                                 title: describe(line.label, point.x, point.y))
                }
            }
            legend.append(ChartCanvas.LegendEntry(label: line.label, colour: colour, style: line.reference ? .dashed : .swatch))
        }
        canvas.legend(legend)
        return canvas.svg
    }
}
