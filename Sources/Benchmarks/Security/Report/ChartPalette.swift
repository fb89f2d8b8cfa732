/// The colours of a chart's series: Okabe and Ito's set, which readers with the common colour-vision deficiencies tell
/// apart, then two more for the ten stages of the stacked chart.
enum ChartPalette {
    static let colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
                          "#999999", "#882255"]

    /// The colour of series `index`; past the tenth they repeat, which the legend and the tables make up for.
    static func colour(_ index: Int) -> String { colours[index % colours.count] }
}
