/// What one gateway connection, and the crowd of them, may hold, so a silent, slow or hostile client cannot pin the
/// head-end's resources or lock gateways out.
public struct HeadEndServerLimits: Sendable, Hashable {
    /// From the accept to a completed TLS handshake, the client certificate checked (`handshake_timeout`).
    public var handshakeTimeout: Duration
    /// A connection that sends nothing for this long after its handshake is closed (`idle_timeout`). Gateways send a reading every few
    /// seconds to minutes, and reconnect when they have something to say.
    public var idleTimeout: Duration
    /// A frame must have arrived whole this long after its first byte (`frame_timeout`): a client that trickles a
    /// byte now and then is never idle, and would otherwise hold its connection for ever. A signed reading is about
    /// 1 KiB, sent in one write.
    public var frameTimeout: Duration
    /// The largest APDU a wrapper frame may announce; a larger one closes the connection before it is buffered.
    /// A signed record of a PAC3200's values is about 1 KiB.
    public var maxFrameSize: Int
    /// Open connections (`max_connections`). At the limit the connection that has waited longest for its TLS
    /// handshake is closed to admit the new one; authenticated gateways are never closed for room, and when every
    /// connection is one, newcomers wait in the kernel's accept queue (see `ConnectionRegistry`).
    public var maxConnections: Int
    /// Slots that connections still in their handshake never take (`reserved_for_gateways`, a tenth of
    /// `maxConnections` unless set): they hold at most `maxConnections - reservedForGateways`, whatever a flood does,
    /// and the rest stays for authenticated gateways.
    public var reservedForGateways: Int
    /// Connections in their handshake from one source address (`max_handshakes_per_address`); its next one closes
    /// its own oldest, so a flood from one address never closes a gateway's connection from another.
    public var maxHandshakesPerAddress: Int

    public init(handshakeTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(300), frameTimeout: Duration = .seconds(30),
                maxFrameSize: Int = 8192, maxConnections: Int = 1000, reservedForGateways: Int? = nil, maxHandshakesPerAddress: Int = 32) {
        self.handshakeTimeout = handshakeTimeout
        self.idleTimeout = idleTimeout
        self.frameTimeout = frameTimeout
        self.maxFrameSize = maxFrameSize
        self.maxConnections = maxConnections
        self.reservedForGateways = reservedForGateways ?? maxConnections / 10
        self.maxHandshakesPerAddress = maxHandshakesPerAddress
    }

    /// Connections in their handshake held at once: the limit less the reserve, at least one.
    public var maxHandshakes: Int { max(1, maxConnections - reservedForGateways) }
}
