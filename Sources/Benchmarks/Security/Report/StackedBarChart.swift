/// Bars made of segments stacked on each other, one bar per category, with an optional marker per bar for a figure
/// that is not the sum of the segments: a configuration's stage medians stacked, and its end-to-end median beside
/// them, which is less than their sum where stages overlap.
struct StackedBarChart {
    struct Bar {
        var label: String
        /// Segments bottom up: the series index (the legend's entry) and the figure. A figure below zero (a link that
        /// measured a hair under nothing) is drawn as nothing; the table beside the chart gives it as measured.
        var segments: [(series: Int, value: Double)]
        var marker: Double?
    }

    var name: String
    var summary: String
    var axisLabel: String
    var series: [String]
    var markerLabel: String
    var bars: [Bar]
    /// The figures' unit in the marks' titles.
    var unit = "ms"

    var svg: Markup {
        let heights = bars.map { bar in bar.segments.map { max(0, $0.value) }.reduce(0, +) }
        let markers = bars.compactMap(\.marker)
        let scale = ChartScale(values: heights + markers, from: ChartCanvas.plotBottom, to: ChartCanvas.plotTop, fromZero: true,
                               allowLogarithmic: false)
        var canvas = ChartCanvas(name: name, summary: summary)
        canvas.verticalAxis(scale, label: axisLabel)
        let slot = (ChartCanvas.plotRight - ChartCanvas.plotLeft) / Double(max(bars.count, 1))
        let width = min(slot * 0.6, 60)
        let centres = bars.indices.map { ChartCanvas.plotLeft + slot * (Double($0) + 0.5) }
        for (bar, centre) in zip(bars, centres) {
            var total = 0.0
            for segment in bar.segments {
                let top = total + max(0, segment.value)
                canvas.bar(x: centre - width / 2, width: width, from: scale.position(total), to: scale.position(top),
                           colour: ChartPalette.colour(segment.series),
                           title: "\(bar.label), \(series[segment.series]): \(Figure.milliseconds(segment.value)) \(unit)")
                total = top
            }
            if let marker = bar.marker {
                canvas.point(x: centre + width / 2 + 8, y: scale.position(marker), radius: 4, colour: "#000000",
                             title: "\(bar.label), \(markerLabel): \(Figure.milliseconds(marker)) \(unit)")
            }
        }
        canvas.categoryAxis(bars.map(\.label), centres: centres)
        let used = Set(bars.flatMap { $0.segments.map(\.series) })
        var legend = series.indices.filter(used.contains).map { ChartCanvas.LegendEntry(label: series[$0], colour: ChartPalette.colour($0)) }
        if !markers.isEmpty { legend.append(ChartCanvas.LegendEntry(label: markerLabel, colour: "#000000", style: .dot)) }
        canvas.legend(legend)
        return canvas.svg
    }
}
