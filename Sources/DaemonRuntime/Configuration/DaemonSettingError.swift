/// A daemon setting that cannot be used, named by the key a user wrote (`log_level`, `metrics`) so the one-line
/// error points at the configuration file or option to fix.
public enum DaemonSettingError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownLogLevel(key: String, value: String)
    case notAnAddress(key: String, value: String)
    case notATimeout(key: String, value: String)
    case notAConnectionLimit(key: String, value: Int)
    /// The listeners' connection limits and what the process holds already need more descriptors than it may open.
    case tooFewDescriptors(key: String, maxConnections: Int, listeners: Int, needed: Int, limit: Int)

    public var description: String {
        switch self {
        case .unknownLogLevel(let key, let value):
            "\(key) \"\(value)\" is not a log level; use one of \(LogLevel.names.joined(separator: ", "))"
        case .notAnAddress(let key, let value):
            "\(key) \"\(value)\" is not host:port; use e.g. 127.0.0.1:9090 or [::1]:9090 (port 0 picks a free one)"
        case .notATimeout(let key, let value):
            "\(key) \"\(value)\" is not a timeout; use e.g. 30s, 500ms or 2m (more than 0, at most a day)"
        case .notAConnectionLimit(let key, let value):
            "\(key) \(value) is not a connection limit; use a number from 1 to 1000000"
        case .tooFewDescriptors(let key, let maxConnections, let listeners, let needed, let limit):
            "\(key) \(maxConnections) on \(listeners) listener\(listeners == 1 ? "" : "s") needs about \(needed) file descriptors, "
                + "but this process may open \(limit) (ulimit -n); lower \(key) or raise the limit"
        }
    }
}
