import Foundation

/// Numbers as the tools print them. Any Double prints: printf's %f has no integer range to overflow (a reading of
/// 1e19 once crashed `gatewayctl verify` through an Int conversion), and NaN and infinities get their names.
public enum ValueFormat {
    /// `value` with `decimals` digits after the point (0...17); "-" when not finite.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "-" }
        return String(format: "%.\(max(0, min(decimals, 17)))f", value)
    }

    /// A meter reading: enough digits for a voltage, none too many for a counter in the millions.
    public static func reading(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if abs(value) >= 100_000 { return fixed(value, decimals: 1) }
        if abs(value) >= 100 { return fixed(value, decimals: 2) }
        return fixed(value, decimals: 3)
    }
}
