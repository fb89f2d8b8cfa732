/// A doorbell from one pipeline stage to the next: "there is work in the outbox". The work itself is in the outbox,
/// durable, never in the bell, so rings coalesce (a stage that wakes once drains everything) and a bell rung while
/// nobody listens is kept until someone does. The bounded queue between stages is the outbox with its limit.
public struct Wakeup: Sendable {
    let rings: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init() {
        (rings, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    public func ring() {
        continuation.yield()
    }

    /// Ends the rings: the listening stage's loop ends.
    public func finish() {
        continuation.finish()
    }
}
