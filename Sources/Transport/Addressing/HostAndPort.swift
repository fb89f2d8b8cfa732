/// A host and a port as users write them: `host:port`, or `[v6]:port` for an IPv6 address, in listen settings,
/// command-line options and URLs alike. One parser, so every place takes the same forms and refuses the same
/// mistakes (no port, a port above 65535, an empty host).
public struct HostAndPort: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(parsing text: some StringProtocol) {
        let text = Substring(text)
        let host: Substring
        let port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            port = rest.dropFirst()
        } else if let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        } else {
            return nil
        }
        guard !host.isEmpty, port.allSatisfy(\.isASCII), let number = Int(port), (0...65535).contains(number) else { return nil }
        self.init(host: String(host), port: number)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// An `http://` or `https://` URL with an explicit port, as the project's services are configured
/// (`https://pkid.example:8443/est`): the scheme, where to connect, and the path (at least "/").
public struct ServiceURL: Sendable, Hashable, CustomStringConvertible {
    public var secure: Bool
    public var endpoint: HostAndPort
    public var path: String

    public init?(parsing text: String) {
        let rest: Substring
        if text.hasPrefix("https://") {
            secure = true
            rest = text.dropFirst(8)
        } else if text.hasPrefix("http://") {
            secure = false
            rest = text.dropFirst(7)
        } else {
            return nil
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let endpoint = HostAndPort(parsing: rest[..<slash]) else { return nil }
        self.endpoint = endpoint
        path = slash == rest.endIndex ? "/" : String(rest[slash...])
    }

    public var description: String { "\(secure ? "https" : "http")://\(endpoint)\(path == "/" ? "" : path)" }
}
