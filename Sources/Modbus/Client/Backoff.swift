/// Exponential back-off with jitter between reconnection attempts, so a gateway does not hammer a meter that
/// is rebooting, and many gateways behind one switch do not reconnect in step.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration
    /// Fraction of the delay added or removed at random (0.2 = ±20 %).
    public var jitter: Double

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(10), jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The wait after the `failures`-th failure in a row (1 = the first).
    public func delay(afterFailures failures: Int, random: Double = Double.random(in: -1...1)) -> Duration {
        guard failures > 0 else { return .zero }
        let doubled = initial * (1 << min(failures - 1, 20))
        let capped = min(doubled, maximum)
        return capped * (1 + jitter * random)
    }
}
