import Synchronization

/// How many control requests each local user may make: `perSecond` on average, in bursts of as many, per uid (a
/// token bucket). Past it the endpoint answers 429 before anything is signed, so a runaway script, or another user
/// of an admitted group, cannot make the head-end sign requests as fast as its token goes.
public final class ControlRateLimit: Sendable {
    public let perSecond: Double
    private let now: @Sendable () -> ContinuousClock.Instant
    private let buckets = Mutex<[UInt32: Bucket]>([:])

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    /// - Parameter now: the clock; a test passes one that stands still, so the budget is exact.
    public init(perSecond: Double, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.perSecond = perSecond
        self.now = now
    }

    /// The key a TCP caller counts under: it has no uid, so all of them share one budget.
    public static let tcpCallers = UInt32.max

    /// Whether `uid` may make a request now; if so, it is counted.
    public func admit(_ uid: UInt32) -> Bool {
        let instant = now()
        let burst = max(1, perSecond)
        return buckets.withLock { buckets in
            var bucket = buckets[uid] ?? Bucket(tokens: burst, updated: instant)
            let elapsed = bucket.updated.duration(to: instant)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + max(0, seconds) * perSecond)
            bucket.updated = instant
            let admitted = bucket.tokens >= 1
            if admitted { bucket.tokens -= 1 }
            buckets[uid] = bucket
            return admitted
        }
    }
}
