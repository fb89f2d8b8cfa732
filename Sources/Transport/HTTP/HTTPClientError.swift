/// Why an HTTP(S) request got no usable answer, naming the server and, for a timeout, which one ran out: a connect
/// timeout means no connection to talk on (nothing accepted: address, firewall, a full accept queue; or, over TLS,
/// no finished handshake); a read timeout means the request went out and the server then said nothing.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case connectTimeout(host: String, port: Int, after: Duration)
    case readTimeout(host: String, port: Int, after: Duration)
    case connectionFailed(host: String, port: Int, reason: String)
    case tlsFailed(host: String, port: Int, reason: String)
    /// The server closed the connection before a complete answer.
    case closedEarly(host: String, port: Int)
    /// The answer was longer than the client takes (`HTTPSClient.maximumAnswerSize`).
    case answerTooLarge(host: String, port: Int, limit: Int)

    public var description: String {
        switch self {
        case .connectTimeout(let host, let port, let after):
            "no connection to \(HostAndPort(host: host, port: port)) within the connect timeout of \(Self.seconds(after))"
        case .readTimeout(let host, let port, let after):
            "\(HostAndPort(host: host, port: port)) accepted the connection but sent nothing for the read timeout of \(Self.seconds(after))"
        case .connectionFailed(let host, let port, let reason): "cannot connect to \(HostAndPort(host: host, port: port)): \(reason)"
        case .tlsFailed(let host, let port, let reason): "TLS with \(HostAndPort(host: host, port: port)) failed: \(reason)"
        case .closedEarly(let host, let port): "\(HostAndPort(host: host, port: port)) closed the connection before a complete answer"
        case .answerTooLarge(let host, let port, let limit): "\(HostAndPort(host: host, port: port)) sent an answer over the limit of \(limit) bytes"
        }
    }

    /// `0.5 s`, `5 s`.
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(Double(milliseconds) / 1000) s"
    }
}
