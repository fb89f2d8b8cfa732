#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport

/// Raw TCP clients on 127.0.0.1 for what curl cannot do: hold thousands of connections that say nothing, trickle a
/// request a byte a second, or send bytes that are not HTTP. Each descriptor is closed by its owner's deinit.
enum Loopback {
    /// Raises this process's soft RLIMIT_NOFILE to the hard limit, so a flood is limited by the machine and not by
    /// the shell that started the tests; returns the soft limit now in force.
    @discardableResult
    static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
            getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(limit.rlim_cur)
    }

    /// A non-blocking socket whose connect to 127.0.0.1:`port` has been started.
    static func startConnect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError("socket: \(String(cString: strerror(errno)))") }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 || errno == EINPROGRESS else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw TestSetupError("connect to 127.0.0.1:\(port): \(reason)")
        }
        return fd
    }

    /// Whether the connects of `fds` completed within `timeout` seconds, each.
    static func waitConnected(_ fds: [Int32], timeout: Double) -> [Bool] {
        var connected = [Bool](repeating: false, count: fds.count)
        var pending = Array(fds.indices)
        let deadline = Date().addingTimeInterval(timeout)
        while !pending.isEmpty, Date() < deadline {
            var polls = pending.map { pollfd(fd: fds[$0], events: Int16(POLLOUT), revents: 0) }
            _ = poll(&polls, nfds_t(polls.count), 100)
            var still: [Int] = []
            for (slot, index) in pending.enumerated() {
                guard polls[slot].revents != 0 else { still.append(index); continue }
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fds[index], SOL_SOCKET, SO_ERROR, &error, &length)
                connected[index] = error == 0
            }
            pending = still
        }
        return connected
    }

    /// The open descriptors and resident memory of process `pid`, as the kernel counts them.
    static func descriptors(of pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }

    /// The descriptors of `pid` once their count has not changed for `quiet` seconds (a server still accepting a
    /// flood from its queue), or after `timeout`.
    static func settledDescriptors(of pid: Int32, quiet: Double = 0.3, timeout: Double = 3) -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        var count = descriptors(of: pid)
        var since = Date()
        while Date() < deadline, Date().timeIntervalSince(since) < quiet {
            usleep(50_000)
            let now = descriptors(of: pid)
            if now != count { (count, since) = (now, Date()) }
        }
        return count
    }

    /// VmRSS of process `pid` in KiB, from /proc/PID/status.
    static func residentKiB(of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}

/// One connection the test drives byte by byte.
final class LoopbackConnection {
    let fd: Int32

    /// Connects within `timeout` seconds or throws.
    init(port: Int, timeout: Double = 5) throws {
        fd = try Loopback.startConnect(port: port)
        guard Loopback.waitConnected([fd], timeout: timeout) == [true] else {
            close(fd)
            throw TestSetupError("no connection to 127.0.0.1:\(port) within \(timeout) s")
        }
    }

    deinit { close(fd) }

    /// Sends `bytes`; false once the peer has closed (EPIPE, ECONNRESET).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads what arrives within `timeout` seconds; `closed` when the peer closed (EOF or reset) by then.
    func read(timeout: Double) -> (bytes: [UInt8], closed: Bool) {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return (received, false) }
            var polled = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&polled, 1, Int32(left * 1000) + 1) > 0 else { continue }
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 {
                received += buffer[0..<count]
            } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                return (received, true)
            }
        }
    }

    /// Sends one byte of `text` a second until the peer closes or `timeout` passes; the seconds it took the
    /// peer to close, or nil if it never did.
    func trickle(_ text: String, timeout: Double) -> Double? {
        let start = Date()
        for byte in Array(text.utf8) {
            guard Date().timeIntervalSince(start) < timeout else { return nil }
            if !send([byte]) { return Date().timeIntervalSince(start) }
            if read(timeout: 1).closed { return Date().timeIntervalSince(start) }
        }
        return read(timeout: max(0, timeout - Date().timeIntervalSince(start))).closed ? Date().timeIntervalSince(start) : nil
    }
}

/// Thousands of connections that say nothing, as the review's flood held them.
final class ConnectionFlood {
    private(set) var sockets: [Int32] = []

    /// Opens `count` connections, `batch` at a time to each of `ports` in turn, keeping those whose connect
    /// completed within `timeout`. The pause between batches keeps the flood within what the listener's accept
    /// queue holds: past that the kernel drops the client's last handshake packet while the client counts the
    /// connection as open, and the server sees it only seconds later, when its SYN-ACK is retransmitted.
    init(ports: [Int], count: Int, batch: Int = 50, pause: Double = 0.025, timeout: Double = 3) throws {
        var opened = 0
        while opened < count {
            let port = ports[(opened / batch) % ports.count]
            let fds = try (0..<min(batch, count - opened)).map { _ in try Loopback.startConnect(port: port) }
            for (fd, connected) in zip(fds, Loopback.waitConnected(fds, timeout: timeout)) {
                if connected { sockets.append(fd) } else { close(fd) }
            }
            opened += fds.count
            usleep(UInt32(pause * 1_000_000))
        }
    }

    deinit { for fd in sockets { close(fd) } }

    /// Waits until every connection has seen the server close it (EOF or a reset), for up to `timeout` seconds;
    /// returns how many did.
    func waitForClose(timeout: Double) -> Int {
        var open = Set(sockets)
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !open.isEmpty, Date() < deadline {
            var polls = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&polls, nfds_t(polls.count), 100) > 0 else { continue }
            for polled in polls where polled.revents != 0 {
                let count = recv(polled.fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) { open.remove(polled.fd) }
            }
        }
        return sockets.count - open.count
    }
}
