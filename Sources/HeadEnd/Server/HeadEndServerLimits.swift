/// What one gateway connection may hold, so a silent, slow or hostile client cannot pin the head-end's resources.
public struct HeadEndServerLimits: Sendable, Hashable {
    /// From the accept to a completed TLS handshake, the client certificate checked (`handshake_timeout`).
    public var handshakeTimeout: Duration
    /// A connection that sends nothing for this long after its handshake is closed (`idle_timeout`). Gateways send a reading every few
    /// seconds to minutes, and reconnect when they have something to say.
    public var idleTimeout: Duration
    /// The largest APDU a wrapper frame may announce; a larger one closes the connection before it is buffered.
    /// A signed record of a PAC3200's values is about 1 KiB.
    public var maxFrameSize: Int
    /// Open connections; past it a new connection is closed at once (`max_connections`).
    public var maxConnections: Int

    public init(handshakeTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(300), maxFrameSize: Int = 8192,
                maxConnections: Int = 1000) {
        self.handshakeTimeout = handshakeTimeout
        self.idleTimeout = idleTimeout
        self.maxFrameSize = maxFrameSize
        self.maxConnections = maxConnections
    }
}
