import Logging

/// The `log_level` setting: swift-log's levels by their names.
public enum LogLevel {
    public static let names = Logger.Level.allCases.map(\.rawValue)

    /// `info`, `DEBUG`, ... as a level; `key` names the setting in the error.
    public static func parse(_ text: String, key: String = "log_level") throws(DaemonSettingError) -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else { throw .unknownLogLevel(key: key, value: text) }
        return level
    }
}
