import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The card's side of vpcd: a TCP client that connects to the reader's port and answers what vpcd sends.
///
/// It runs on a Thread of its own with blocking sockets. A card answers one command at a time and a signature
/// may sleep for `--sign-delay-ms`, so neither an event loop nor Swift's cooperative pool may carry it.
/// When the connection cannot be made or drops (pcscd restarting), it tries again every `retryInterval` until
/// stopped. Closing the socket is how a card leaves the reader.
///
/// Debian's vpcd writes length and payload in two segments. With Nagle's algorithm on our side and delayed
/// ACKs on ours, each exchange then waits for the ACK timer: about 44 ms per APDU (REFERENCE §5). So the socket
/// has TCP_NODELAY, each reply goes out in one write, and TCP_QUICKACK is set again after every receive (Linux
/// clears it on its own).
public final class VPCDLink: @unchecked Sendable {
    public static let retryInterval: Duration = .milliseconds(200)

    public let host: String
    public let port: UInt16
    private let card: PIVCard
    private let events: @Sendable (VPCDEvent) -> Void
    private let condition = NSCondition()
    private var stopped = false        // guarded by condition
    private var socketFD: Int32 = -1   // guarded by condition
    private var thread: Thread?
    private var finished = false       // guarded by condition

    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public init(host: String, port: UInt16, card: PIVCard, events: @escaping @Sendable (VPCDEvent) -> Void = { _ in }) {
        self.host = host
        self.port = port
        self.card = card
        self.events = events
    }

    /// Starts the link's thread; returns at once.
    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "virtual-card vpcd \(address)"
        self.thread = thread
        thread.start()
    }

    /// Removes the card (closes the connection) and waits for the thread to end.
    public func stop() {
        condition.lock()
        stopped = true
        if socketFD >= 0 { shutdown(socketFD, Int32(SHUT_RDWR)) }
        condition.broadcast()
        while thread != nil && !finished { condition.wait() }
        condition.unlock()
    }

    private var isStopped: Bool { condition.lock(); defer { condition.unlock() }; return stopped }

    private func run() {
        var everConnected = false
        var reportedWaiting = false
        while !isStopped {
            switch connectSocket() {
            case .success(let fd):
                condition.lock()
                socketFD = fd
                let stopNow = stopped
                condition.unlock()
                if stopNow { close(fd); break }
                card.powerOff()
                events(.inserted(address: address))
                everConnected = true
                reportedWaiting = false
                let reason = serve(fd)
                condition.lock()
                socketFD = -1
                condition.unlock()
                close(fd)
                card.powerOff()
                if !isStopped { events(.removed(address: address, reason: reason)) }
            case .failure(let reason):
                if !everConnected && !reportedWaiting {
                    events(.waiting(address: address, reason: reason))
                    reportedWaiting = true
                }
            }
            pause()
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    private func pause() {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(Self.retryInterval.seconds)
        while !stopped && condition.wait(until: deadline) {}
    }

    private enum Connection { case success(Int32), failure(String) }

    private func connectSocket() -> Connection {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else { return .failure(String(cString: gai_strerror(status))) }
        defer { freeaddrinfo(list) }
        var reason = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            guard fd >= 0 else { reason = String(cString: strerror(errno)); continue }
            if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                setOption(fd, TCP_NODELAY)
                return .success(fd)
            }
            reason = String(cString: strerror(errno))
            close(fd)
        }
        return .failure(reason)
    }

    private func setOption(_ fd: Int32, _ option: Int32) {
        var on: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), option, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Answers vpcd until the connection ends; returns why it ended.
    private func serve(_ fd: Int32) -> String {
        while true {
            guard let header = receive(fd, count: 2) else { return "vpcd closed the connection" }
            let length = Int(header[0]) << 8 | Int(header[1])
            guard let payload = receive(fd, count: length) else { return "vpcd closed the connection" }
            let reply: [UInt8]?
            switch VPCDMessage(payload: payload) {
            case .powerOff: card.powerOff(); reply = nil
            case .powerOn, .reset: card.reset(); reply = nil
            case .getATR: reply = card.atr
            case .apdu(let bytes): reply = card.process(bytes)
            case .unknownControl: reply = nil
            }
            if let reply, !send(fd, VPCDMessage.frame(reply)) { return "writing to vpcd failed" }
        }
    }

    private func receive(_ fd: Int32, count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let received = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + offset, count - offset, 0) }
            setOption(fd, TCP_QUICKACK)
            if received < 0 && errno == EINTR { continue }
            guard received > 0 else { return nil }
            offset += received
        }
        return buffer
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }
}
