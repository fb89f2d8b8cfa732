/// A daemon setting that cannot be used, named by the key a user wrote (`log_level`, `metrics`) so the one-line
/// error points at the configuration file or option to fix.
public enum DaemonSettingError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownLogLevel(key: String, value: String)
    case notAnAddress(key: String, value: String)

    public var description: String {
        switch self {
        case .unknownLogLevel(let key, let value):
            "\(key) \"\(value)\" is not a log level; use one of \(LogLevel.names.joined(separator: ", "))"
        case .notAnAddress(let key, let value):
            "\(key) \"\(value)\" is not host:port; use e.g. 127.0.0.1:9090 or [::1]:9090 (port 0 picks a free one)"
        }
    }
}
