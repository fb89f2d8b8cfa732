import Transport

/// Where a listener binds: `host:port` or `[v6]:port`, as every daemon's `listen`-style settings are written.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `text` (Transport's `HostAndPort` forms); `key` names the setting in the error.
    public init(parsing text: String, key: String) throws(DaemonSettingError) {
        guard let parsed = HostAndPort(parsing: text) else { throw .notAnAddress(key: key, value: text) }
        self.init(host: parsed.host, port: parsed.port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
