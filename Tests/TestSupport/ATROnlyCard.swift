import Foundation

/// A card in a vpcd reader that answers its ATR and nothing else: a stand-in until the virtual PIV card
/// (`VirtualCard`, `gatewayctl dev virtual-card`) lands, enough for tests of card presence. The lead may swap it
/// for the virtual PIV card.
///
/// It speaks vpcd's framing (REFERENCE.md §5): every message is a 2-byte big-endian length and a payload; a
/// 1-byte payload is control (00 power off, 01 power on, 02 reset, none answered; 04 get ATR, answered with the
/// ATR), a longer one is an APDU, answered 6A 82 (file or application not found), so OpenSC finds no driver for
/// it and shows the slot's token as not recognised. Connecting inserts the card; `remove()` closes the socket,
/// which vpcd reports to pcscd as the card removed.
public final class ATROnlyCard: @unchecked Sendable {
    /// A minimal valid ATR: direct convention, T=1 offered, no historical bytes, check byte 01.
    public static let defaultATR: [UInt8] = [0x3B, 0x80, 0x80, 0x01, 0x01]

    public let atr: [UInt8]
    private let socket: Int32
    private let lock = NSLock()
    private var removed = false
    private let finished = DispatchSemaphore(value: 0)
    private var apduCount = 0

    /// Connects to a vpcd reader at `address` ("127.0.0.1:PORT"; `PCSCDaemon.vpcdAddress` is the first reader,
    /// the port after it the second) and answers on a thread of its own.
    public init(address: String, atr: [UInt8] = ATROnlyCard.defaultATR) throws {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw TestSetupError("\(address) is not host:port")
        }
        self.atr = atr
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestSetupError("socket: \(String(cString: strerror(errno)))") }
        var peer = sockaddr_in()
        peer.sin_family = sa_family_t(AF_INET)
        peer.sin_port = port.bigEndian
        peer.sin_addr.s_addr = inet_addr(String(address[..<colon]))
        let connected = withUnsafePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(socket)
            throw TestSetupError("cannot reach vpcd at \(address): \(reason)")
        }
        // vpcd writes each frame's length and payload separately; with Nagle on its side and delayed ACKs on ours
        // every APDU would wait about 44 ms (REFERENCE.md §5), and OpenSC probing an unknown card sends hundreds.
        var one: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let thread = Thread { [self] in serve() }
        thread.name = "ATROnlyCard"
        thread.start()
    }

    /// Command APDUs the card has answered, to tell a test that something did talk to it.
    public var apdusAnswered: Int { lock.withLock { apduCount } }

    /// Takes the card out of the reader: closes the connection and waits for the answering thread to end.
    public func remove() {
        let first = lock.withLock {
            defer { removed = true }
            return !removed
        }
        guard first else { return }
        shutdown(socket, Int32(SHUT_RDWR))
        finished.wait()
        close(socket)
    }

    deinit { remove() }

    private func serve() {
        defer { finished.signal() }
        while let message = receive() {
            if message.count == 1 {
                if message[0] == 0x04, !send(atr) { return }
            } else {
                lock.withLock { apduCount += 1 }
                if !send([0x6A, 0x82]) { return }
            }
        }
    }

    private func receive() -> [UInt8]? {
        guard let header = read(count: 2) else { return nil }
        let length = Int(header[0]) << 8 | Int(header[1])
        return length == 0 ? [] : read(count: length)
    }

    private func read(count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { recv(socket, $0.baseAddress! + filled, count - filled, 0) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return nil }
            filled += got
            var one: Int32 = 1  // the kernel clears TCP_QUICKACK again after a while: set it after every read
            setsockopt(socket, Int32(IPPROTO_TCP), TCP_QUICKACK, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        return bytes
    }

    private func send(_ payload: [UInt8]) -> Bool {
        let frame = [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
        var sent = 0
        while sent < frame.count {
            let wrote = frame.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + sent, frame.count - sent, Int32(MSG_NOSIGNAL)) }
            if wrote < 0 && errno == EINTR { continue }
            guard wrote > 0 else { return false }
            sent += wrote
        }
        return true
    }
}
