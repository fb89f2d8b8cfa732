import Foundation
import Synchronization

/// A TCP proxy on 127.0.0.1 in front of a server, that cuts connections when a test says so: the network failing
/// between a gateway and its head-end, mid-frame or mid-acknowledgement, with real sockets on both sides.
///
/// Each accepted connection gets a connection to the target and two pump threads. `cutAfter(bytes:direction:)`
/// arms a one-shot cut: the next connection that carries that many more bytes in that direction is closed on both
/// sides right there, the rest of the chunk undelivered (so a frame arrives half). `cutAll()` closes every
/// connection now. `refuse` makes new connections close at once, as a dead link does.
public final class TCPProxy: @unchecked Sendable {
    public enum Direction: Sendable { case toServer, toClient }

    public let port: Int
    public let targetPort: Int
    private let listener: Int32
    private let state = Mutex(State())
    private struct State {
        var connections: [Int: (client: Int32, server: Int32)] = [:]
        var nextID = 0
        var cut: (direction: Direction, remaining: Int)?
        var refusing = false
        var cuts = 0
        var stopped = false
    }

    public init(targetPort: Int) throws {
        self.targetPort = targetPort
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(listener, 64) == 0 else { throw TestSetupError("proxy: cannot listen: errno \(errno)") }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        self.listener = listener
        port = Int(UInt16(bigEndian: actual.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { stop() }

    /// How many connections the proxy cut (armed cuts and `cutAll`).
    public var cuts: Int { state.withLock { $0.cuts } }
    public var openConnections: Int { state.withLock { $0.connections.count } }

    /// The next connection to carry `bytes` more in `direction` is cut there.
    public func cutAfter(bytes: Int, direction: Direction) {
        state.withLock { $0.cut = (direction, bytes) }
    }

    public var cutPending: Bool { state.withLock { $0.cut != nil } }

    /// Closes every open connection now.
    public func cutAll() {
        let open = state.withLock { state in
            defer { state.connections.removeAll(); state.cuts += 1 }
            return Array(state.connections.values)
        }
        for pair in open { Self.close(pair) }
    }

    /// While true, new connections are closed as soon as they are accepted.
    public func refuse(_ refusing: Bool) {
        state.withLock { $0.refusing = refusing }
    }

    public func stop() {
        let open = state.withLock { state in
            defer { state.connections.removeAll(); state.stopped = true }
            return state.stopped ? [] : Array(state.connections.values)
        }
        for pair in open { Self.close(pair) }
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if state.withLock({ $0.stopped }) { return }
                continue
            }
            if state.withLock({ $0.refusing }) {
                Glibc.close(client)
                continue
            }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: targetPort)
            let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard connected == 0 else {
                Glibc.close(client)
                Glibc.close(server)
                continue
            }
            let id = state.withLock { state in
                state.nextID += 1
                state.connections[state.nextID] = (client, server)
                return state.nextID
            }
            Thread.detachNewThread { [self] in pump(id: id, from: client, to: server, direction: .toServer) }
            Thread.detachNewThread { [self] in pump(id: id, from: server, to: client, direction: .toClient) }
        }
    }

    private func pump(id: Int, from source: Int32, to destination: Int32, direction: Direction) {
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = read(source, &buffer, buffer.count)
            if count <= 0 { break }
            // How much of this chunk may pass before an armed cut fires.
            let passing: Int? = state.withLock { state in
                guard let cut = state.cut, cut.direction == direction else { return nil }
                if count < cut.remaining {
                    state.cut = (direction, cut.remaining - count)
                    return nil
                }
                state.cut = nil
                state.cuts += 1
                return cut.remaining
            }
            let forward = passing ?? count
            if forward > 0 { _ = buffer.withUnsafeBytes { write(destination, $0.baseAddress, forward) } }
            if passing != nil { break }
        }
        if let pair = state.withLock({ $0.connections.removeValue(forKey: id) }) { Self.close(pair) }
    }

    private static func close(_ pair: (client: Int32, server: Int32)) {
        shutdown(pair.client, Int32(SHUT_RDWR))
        shutdown(pair.server, Int32(SHUT_RDWR))
        Glibc.close(pair.client)
        Glibc.close(pair.server)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
