import COSEM

/// Where the uplink goes and how patiently.
public struct UplinkSettings: Sendable {
    public var host: String
    public var port: Int
    /// The head-end's system title: the CN its TLS and signing certificates must carry.
    public var headEnd: SystemTitle
    /// Frames unacknowledged at once.
    public var window = 16
    public var connectTimeout: Duration = .seconds(5)
    public var handshakeTimeout: Duration = .seconds(10)
    /// How long the oldest frame in flight may wait for its acknowledgement before the connection is given up
    /// (and the frames in flight are sent again on the next).
    public var acknowledgementTimeout: Duration = .seconds(15)
    /// Reconnect pauses, doubling from the first to the last.
    public var reconnectInitial: Duration = .milliseconds(250)
    public var reconnectMaximum: Duration = .seconds(30)
    /// The pause after a retry-later refusal, before the held frames go again.
    public var retryLaterPause: Duration = .seconds(5)
    /// On SIGTERM, how long the uplink goes on delivering what is signed before it closes.
    public var drainTimeout: Duration = .seconds(5)
    /// The head-end's signed requests answered at once; more wait for one to finish (`RequestQueue`).
    public var concurrentRequests = 4

    public init(host: String, port: Int, headEnd: SystemTitle) {
        self.host = host
        self.port = port
        self.headEnd = headEnd
    }
}
