import NIOCore

extension SocketAddress {
    /// `127.0.0.1:54321` or `[::1]:54321`, as a log names a connection's peer (an HTTP client, a gateway, an evicted
    /// connection); `unknown` for a Unix-socket caller, whose name is its credentials (`PeerCredentials`).
    public static func describe(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress else { return "unknown" }
        let port = address.port.map(String.init) ?? "?"
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
