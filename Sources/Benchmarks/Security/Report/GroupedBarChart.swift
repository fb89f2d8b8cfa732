/// Bars side by side within each category, one per series: verification rates next to openssl's, a signer's
/// signature next to its verification. A figure not measured leaves its place empty rather than drawing a zero.
struct GroupedBarChart {
    var name: String
    var summary: String
    var axisLabel: String
    var series: [String]
    var categories: [String]
    /// `values[category][series]`.
    var values: [[Double?]]
    /// How a figure reads in a mark's title ("0.412 ms", "1100/s").
    var describe: (Double) -> String

    var svg: Markup {
        let figures = values.flatMap { $0.compactMap { $0 } }
        let scale = ChartScale(values: figures, from: ChartCanvas.plotBottom, to: ChartCanvas.plotTop, fromZero: true)
        var canvas = ChartCanvas(name: name, summary: summary)
        canvas.verticalAxis(scale, label: axisLabel)
        let slot = (ChartCanvas.plotRight - ChartCanvas.plotLeft) / Double(max(categories.count, 1))
        let width = min(slot * 0.8 / Double(max(series.count, 1)), 40)
        let centres = categories.indices.map { ChartCanvas.plotLeft + slot * (Double($0) + 0.5) }
        for (category, centre) in zip(categories.indices, centres) {
            let left = centre - width * Double(series.count) / 2
            for (index, value) in values[category].enumerated() {
                guard let value, value.isFinite else { continue }
                canvas.bar(x: left + width * Double(index), width: width, from: scale.position(scale.kind == .linear ? 0 : scale.lower),
                           to: scale.position(value), colour: ChartPalette.colour(index),
                           title: "\(categories[category]), \(series[index]): \(describe(value))")
            }
        }
        canvas.categoryAxis(categories, centres: centres)
        canvas.legend(series.indices.map { ChartCanvas.LegendEntry(label: series[$0], colour: ChartPalette.colour($0)) })
        return canvas.svg
    }
}
