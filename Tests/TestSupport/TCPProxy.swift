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
        /// Connections not shut down yet.
        var connections: [Int: (client: Int32, server: Int32)] = [:]
        /// Every connection's sockets and how many of its pumps still run: the sockets are closed by the last pump to
        /// end, never before, so a pump never reads or writes a descriptor number the process has given to another
        /// file meanwhile (a database, whose pages it would corrupt).
        var sockets: [Int: (pair: (client: Int32, server: Int32), pumps: Int)] = [:]
        var nextID = 0
        var cut: (direction: Direction, remaining: Int)?
        var refusing = false
        var cuts = 0
        var accepted = 0
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
    /// Connections accepted so far, refused ones included: how often a client tried.
    public var accepted: Int { state.withLock { $0.accepted } }
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
        for pair in open { Self.shutDown(pair) }
    }

    /// While true, new connections are closed as soon as they are accepted.
    public func refuse(_ refusing: Bool) {
        state.withLock { $0.refusing = refusing }
    }

    /// Shuts every connection and the listener, which wakes the accept loop; the loop closes the listener itself. No
    /// descriptor is closed while another thread may still use it, nor twice (`deinit` calls this too): either would
    /// hit whatever the process opened under that number since (a TLS socket, a database).
    public func stop() {
        let (open, first) = state.withLock { state in
            defer { state.connections.removeAll(); state.stopped = true }
            return (Array(state.connections.values), !state.stopped)
        }
        guard first else { return }
        for pair in open { Self.shutDown(pair) }
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if state.withLock({ $0.stopped }) {
                if client >= 0 { Glibc.close(client) }
                Glibc.close(listener)
                return
            }
            if client < 0 { continue }
            let refusing = state.withLock { state in
                state.accepted += 1
                return state.refusing
            }
            if refusing {
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
                state.sockets[state.nextID] = ((client, server), 2)
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
        let (open, done) = state.withLock { state in
            let open = state.connections.removeValue(forKey: id)
            guard let sockets = state.sockets[id], sockets.pumps > 1 else { return (open, state.sockets.removeValue(forKey: id)?.pair) }
            state.sockets[id] = (sockets.pair, sockets.pumps - 1)
            return (open, nil)
        }
        if let open { Self.shutDown(open) }
        if let done {
            Glibc.close(done.client)
            Glibc.close(done.server)
        }
    }

    /// Ends both directions of a connection, which wakes its pumps; the last of them closes the sockets.
    private static func shutDown(_ pair: (client: Int32, server: Int32)) {
        shutdown(pair.client, Int32(SHUT_RDWR))
        shutdown(pair.server, Int32(SHUT_RDWR))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
