import Foundation

/// Figures as the report prints them: decimals that fit the size of the number, and "–" for one that is not a number
/// (a run that delivered nothing gives NaN), so no page or table ever says "nan" or "inf".
enum Figure {
    /// What stands for a figure that is missing or not finite.
    static let missing = "–"

    /// Milliseconds: three significant places below 10 ms (a signature on SoftHSM is a fraction of one), fewer above.
    static func milliseconds(_ value: Double?) -> String {
        guard let value, value.isFinite else { return missing }
        let magnitude = abs(value)
        let decimals = magnitude < 1 ? 3 : magnitude < 10 ? 2 : magnitude < 1000 ? 1 : 0
        return fixed(value, decimals)
    }

    /// A figure the bench was told rather than measured (a card's delay): as short as it is, "150" or "0.5".
    static func setting(_ value: Double?) -> String {
        guard let value, value.isFinite else { return missing }
        return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// A rate per second: whole numbers from 100 up, one decimal below (a slow card's 6.7 readings a second).
    static func rate(_ value: Double?) -> String {
        guard let value, value.isFinite else { return missing }
        return fixed(value, abs(value) >= 100 ? 0 : 1)
    }

    /// A ratio such as a share of openssl's rate.
    static func ratio(_ value: Double?) -> String {
        guard let value, value.isFinite else { return missing }
        return fixed(value, 2)
    }

    /// A difference in milliseconds, signed, so a cost of security reads "+0.41" and a saving "−0.02"; none at all "0".
    static func difference(_ value: Double?) -> String {
        guard let value, value.isFinite else { return missing }
        guard value != 0 else { return "0" }
        let text = milliseconds(abs(value))
        return value < 0 ? "−" + text : "+" + text
    }

    /// `value` with `decimals` digits after the point; POSIX formatting, so the page does not change with the locale.
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return missing }
        let text = String(format: "%.\(decimals)f", value)
        // "-0.00" for a tiny negative: say zero.
        return Double(text) == 0 ? String(format: "%.\(decimals)f", 0.0) : text
    }
}

extension Figure {
    /// `part` as a whole percentage of `whole`: "12 %".
    static func percent(_ part: Double, of whole: Double) -> String {
        guard whole > 0 else { return missing }
        return fixed(100 * part / whole, 0) + " %"
    }
}
