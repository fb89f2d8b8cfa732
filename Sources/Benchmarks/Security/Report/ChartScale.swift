import Foundation

/// Maps figures onto one axis of a chart, and picks the ticks a reader reads them by.
///
/// Logarithmic when the figures are all positive and span more than two decades: a signature on SoftHSM (0.4 ms) and
/// one on a 500 ms card in one linear chart would leave the first a line of no height. Linear otherwise, from zero
/// when `fromZero` (a bar's length is its figure, so it must start at zero).
struct ChartScale {
    enum Kind { case linear, logarithmic }

    let kind: Kind
    /// The figures at the two ends of the axis.
    let lower: Double
    let upper: Double
    /// The two ends in SVG units (for a vertical axis `start` is the bottom).
    let start: Double
    let end: Double
    let ticks: [Double]

    init(values: [Double], from start: Double, to end: Double, fromZero: Bool, allowLogarithmic: Bool = true) {
        self.start = start
        self.end = end
        let finite = values.filter(\.isFinite)
        let smallest = finite.min() ?? 0
        let largest = finite.max() ?? 1
        if allowLogarithmic, smallest > 0, largest / smallest > 100 {
            kind = .logarithmic
            lower = pow(10, floor(log10(smallest)))
            upper = pow(10, ceil(log10(largest)))
            ticks = Self.decades(from: lower, to: upper)
        } else {
            kind = .linear
            var low = fromZero ? min(0, smallest) : smallest
            var high = max(largest, low)
            if high == low { high = low + (low == 0 ? 1 : abs(low)) }
            let step = Self.niceStep(for: (high - low) / 5)
            low = floor(low / step) * step
            high = ceil(high / step) * step
            lower = low
            upper = high
            ticks = stride(from: 0, through: Int(((high - low) / step).rounded()), by: 1).map { low + Double($0) * step }
        }
    }

    /// Where `value` sits on the axis; a figure a logarithmic axis cannot show (zero or less) sits at its start.
    func position(_ value: Double) -> Double {
        let fraction: Double
        switch kind {
        case .linear:
            fraction = (value - lower) / (upper - lower)
        case .logarithmic:
            guard value > 0 else { return start }
            fraction = (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
        return start + (end - start) * min(max(fraction, 0), 1)
    }

    /// A tick's label: as many decimals as the tick needs and no more.
    func label(_ tick: Double) -> String {
        let step: Double = switch kind {
        case .linear: ticks.count > 1 ? ticks[1] - ticks[0] : 1
        case .logarithmic: tick
        }
        return Figure.fixed(tick, max(0, Int(-floor(log10(step) + 1e-9))))
    }

    /// 1, 2 or 5 times a power of ten, the smallest not below `rough`: ticks a reader can add up.
    private static func niceStep(for rough: Double) -> Double {
        let power = pow(10, floor(log10(rough)))
        return [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough * (1 - 1e-9) } ?? 10 * power
    }

    /// Powers of ten from `lower` to `upper`, with 2 and 5 between them when there are only one or two decades.
    private static func decades(from lower: Double, to upper: Double) -> [Double] {
        let first = Int(log10(lower).rounded())
        let last = Int(log10(upper).rounded())
        let multiples: [Double] = last - first <= 2 ? [1, 2, 5] : [1]
        var ticks: [Double] = []
        for exponent in first...last {
            for multiple in multiples where exponent < last || multiple == 1 {
                ticks.append(multiple * pow(10, Double(exponent)))
            }
        }
        return ticks
    }
}
