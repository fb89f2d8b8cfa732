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

    public init(host: String, port: Int, headEnd: SystemTitle) {
        self.host = host
        self.port = port
        self.headEnd = headEnd
    }
}

/// The wrapper ports of the uplink: the gateway's management logical device speaks to the head-end's client. Both
/// ends answer on the ports they were addressed from.
public enum UplinkPorts {
    public static let gateway: UInt16 = 1
    public static let headEnd: UInt16 = 1
}
