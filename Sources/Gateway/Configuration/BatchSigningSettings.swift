/// `signing.batch`: how many readings one token signature may cover, and how long the first of them waits for others.
///
/// A slow card (50-500 ms a signature) signs at most 2-20 readings a second one by one; a gateway serving several
/// meters outruns it and its backlog grows without bound. One signature over a Merkle tree of the waiting readings
/// keeps up with any load at the price of `maxWait` more latency for the first reading of a batch.
public struct BatchSigningSettings: Sendable, Hashable {
    public static let defaultMaxFrames = 64
    public static let defaultMaxWait = Duration.milliseconds(200)

    /// The most readings one signature covers.
    public var maxFrames: Int
    /// How long the signing stage, once it has one reading and fewer than `maxFrames`, waits for more.
    public var maxWait: Duration

    public init(maxFrames: Int = defaultMaxFrames, maxWait: Duration = defaultMaxWait) {
        self.maxFrames = maxFrames
        self.maxWait = maxWait
    }
}
