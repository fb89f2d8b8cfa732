/// Where a listener binds: `host:port` or `[v6]:port`, as every daemon's `listen`-style settings are written.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `text`; `key` names the setting in the error.
    public init(parsing text: String, key: String) throws(DaemonSettingError) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(after: close)...].dropFirst()
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        } else {
            throw .notAnAddress(key: key, value: text)
        }
        guard let number = Int(port), (0...65535).contains(number), !host.isEmpty else { throw .notAnAddress(key: key, value: text) }
        self.init(host: String(host), port: number)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
