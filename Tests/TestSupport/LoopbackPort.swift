import Foundation

/// Free ports for servers a test starts: bound here and released, for the server to bind at once.
public enum LoopbackPort {
    /// A free port on 127.0.0.1.
    public static func free() throws -> Int {
        let bound = try bind(port: 0, anyAddress: false)
        close(bound.socket)
        return Int(bound.port)
    }

    /// Binds `port` (0: any free one) on 127.0.0.1, or on every address for a server that listens there (vpcd);
    /// the caller closes the socket.
    public static func bind(port: UInt16, anyAddress: Bool) throws -> (socket: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = anyAddress ? INADDR_ANY : inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw TestSetupError("port \(port) is taken")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }
}
