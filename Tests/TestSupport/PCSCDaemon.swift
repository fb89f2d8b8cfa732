import Foundation
import Synchronization

/// A real pcscd with vsmartcard-vpcd's two virtual readers, private to this test process.
///
/// pcscd always listens on `/run/pcscd/pcscd.comm`, so two daemons (a developer's own, a second test process)
/// would fight over it. The test's pcscd therefore runs in a mount namespace of its own (`unshare -m`) where
/// `/run/pcscd` is a bind mount of a directory of this run; clients reach it there through libpcsclite's
/// `PCSCLITE_CSOCK_NAME`. libpcsclite reads that variable once per process, so every daemon this process starts
/// uses the same directory, one at a time (`start` fails while another is running), and the variable is set for
/// this process and its children before anything talks PC/SC.
///
/// vpcd's readers listen on a port of their own (from the reader.conf this fixture writes): "Virtual PCD 00 00"
/// on `vpcdPort`, "Virtual PCD 00 01" on `vpcdPort + 1`. A virtual card connects there; closing that connection
/// removes the card.
public final class PCSCDaemon: @unchecked Sendable {
    /// The reader a card on `vpcdPort` sits in.
    public static let firstReader = "Virtual PCD 00 00"
    public static let secondReader = "Virtual PCD 00 01"

    /// Where this process's pcscd puts its socket; `PCSCLITE_CSOCK_NAME` points here from the first `start`.
    public static let socketDirectory: URL = {
        let url = TestRunDirectory.root.appendingPathComponent("pcscd", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        setenv("PCSCLITE_CSOCK_NAME", url.appendingPathComponent("pcscd.comm").path, 1)
        return url
    }()

    public static var socketPath: String { socketDirectory.appendingPathComponent("pcscd.comm").path }

    /// The daemon this process runs, if any.
    private static let current = Mutex<PCSCDaemon?>(nil)

    public let vpcdPort: UInt16
    private let configDirectory: URL
    private let process = Mutex<BackgroundProcess?>(nil)

    /// The variables a child process needs to reach this daemon (the process's own environment has them too).
    public var environment: [String: String] { ["PCSCLITE_CSOCK_NAME": Self.socketPath] }

    /// `host:port` of the first reader, for `gatewayctl dev virtual-card --vpcd`.
    public var vpcdAddress: String { "127.0.0.1:\(vpcdPort)" }

    /// Starts pcscd (`pcscd -f -i -a`) and waits until it answers. Fails with the reason when pcscd, vpcd or
    /// `unshare` is missing.
    ///
    /// A daemon still running here belongs to a test that threw before its `stop()` (a `defer` cannot await): it is
    /// stopped first, so one failing PC/SC test does not fail every one after it. (The PC/SC suites are serialized;
    /// two daemons at once would share the socket directory.)
    public static func start() async throws -> PCSCDaemon {
        let daemon = try PCSCDaemon(port: try freePortPair())
        let leftover = current.withLock { current in
            defer { current = daemon }
            return current
        }
        await leftover?.stop(signal: SIGKILL)
        try await daemon.launch()
        return daemon
    }

    private init(port: UInt16) throws {
        for path in ["/usr/sbin/pcscd", "/usr/lib/pcsc/drivers/serial/libifdvpcd.so", "/usr/bin/unshare"] where !FileManager.default.fileExists(atPath: path) {
            throw TestSetupError("\(path) is missing; run `make deps` (pcscd, vsmartcard-vpcd, util-linux)")
        }
        vpcdPort = port
        configDirectory = try temporaryDirectory("reader.conf.d")
        let hex = String(port, radix: 16, uppercase: true)
        let conf = """
            FRIENDLYNAME "Virtual PCD"
            DEVICENAME   /dev/null:0x\(hex)
            LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
            CHANNELID    0x\(hex)

            """
        try conf.write(to: configDirectory.appendingPathComponent("vpcd"), atomically: true, encoding: .utf8)
    }

    /// Starts pcscd and returns once it says it is ready and its socket answers.
    private func launch() async throws {
        let directory = Self.socketDirectory.path
        // A daemon that was killed leaves its socket and pid file; a new one refuses to start beside them.
        for name in ["pcscd.comm", "pcscd.pid"] { try? FileManager.default.removeItem(atPath: "\(directory)/\(name)") }
        let script = "mkdir -p /run/pcscd && mount --bind \"$1\" /run/pcscd && exec /usr/sbin/pcscd -f -i -a -c \"$2\""
        let process = try await BackgroundProcess(
            "/usr/bin/unshare", ["-m", "/bin/sh", "-c", script, "pcscd", directory, configDirectory.path],
            environment: environment
        )
        self.process.withLock { $0 = process }
        let ready: String
        do {
            _ = try await process.waitForLine(containing: "daemon ready.")
            // pcscd logs that before it creates its socket (pcscdaemon.c: "daemon ready.", then InitializeSocket), so
            // the socket may not answer yet: one run of ten found it so. It gets five seconds to answer, and a
            // failure says what connect said.
            let deadline = ContinuousClock.now + .seconds(5)
            var refusal = Self.socketRefusal()
            while refusal != nil, ContinuousClock.now < deadline, process.isRunning {
                // No event says a Unix socket accepts; the deadline only bounds a failure.
                try await Task.sleep(for: .milliseconds(20))
                refusal = Self.socketRefusal()
            }
            guard let reason = refusal else { return }
            ready = "it said it was ready, but its socket does not answer (\(reason))"
        } catch {
            ready = "\(error)"
        }
        await process.stop(signal: SIGKILL)
        throw TestSetupError("pcscd did not start (unshare -m needs CAP_SYS_ADMIN): \(ready)")
    }

    /// nil when something accepts connections on the daemon's socket, else why not (connect's errno).
    private static func socketRefusal() -> String? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8CString)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.prefix(raw.count - 1).enumerated() { raw[index] = UInt8(bitPattern: byte) }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return connected == 0 ? nil : String(cString: strerror(errno))
    }

    /// Stops pcscd and starts it again on the same socket and ports, as an administrator's restart would.
    /// `signal` SIGKILL leaves the socket file behind, as a crash does.
    public func restart(signal: Int32 = SIGTERM) async throws {
        await process.withLock { $0 }?.stop(signal: signal)
        try await launch()
    }

    /// Stops pcscd (SIGTERM, then SIGKILL after 5 s).
    public func stop(signal: Int32 = SIGTERM) async {
        await process.withLock { $0 }?.stop(signal: signal)
        Self.current.withLock { if $0 === self { $0 = nil } }
    }

    /// Waits until pcscd shows a card in `reader` (or none, with `present: false`). A virtual card is connected to vpcd
    /// before pcscd notices it: pcscd polls vpcd's readers for presence.
    ///
    /// Event-driven: after each listing that does not show it yet, the wait is for pcscd's next "Card inserted into"
    /// or "Card Removed From" line for `reader` (counted before the listing, so one logged meanwhile is not missed).
    public func waitForCard(in reader: String = PCSCDaemon.firstReader, present: Bool = true, timeout: Double = 10) async throws {
        guard let process = process.withLock({ $0 }) else { throw TestSetupError("pcscd is not running") }
        let deadline = ContinuousClock.now + .seconds(timeout)
        let event: @Sendable (String) -> Bool = { line in line.contains(reader) && (line.contains("Card inserted into") || line.contains("Card Removed From")) }
        var listing = ""
        while true {
            let seen = process.stdoutLines.count(where: event)
            // Bounded: a client that pcscd holds off the reader (a transaction a pulled card left open) would wait
            // for ever, and the test with it.
            listing = try await run("/usr/bin/timeout", ["5", "/usr/bin/opensc-tool", "--list-readers"], environment: environment).output
            let shown = listing.split(separator: "\n").contains { $0.contains("Yes") && $0.contains(reader) }
            if shown == present { return }
            // Past the deadline, or pcscd gone: the listing above was the last word. Otherwise the next event, or the
            // deadline, brings one more listing (one that lagged behind its event is read again then).
            let left = deadline - ContinuousClock.now
            guard left > .zero, process.isRunning else { break }
            _ = await process.waitForLines(where: event, count: seen + 1, timeout: left)
        }
        throw TestSetupError("pcscd never showed \(present ? "a" : "no") card in \(reader): \(listing) \(log)")
    }

    /// What pcscd logged (with -i -a: readers, cards and every APDU), for a failing test's message.
    public var log: String {
        // Without the APDUs and their answers, which would crowd out what happened to readers, cards and locks.
        (process.withLock { $0 }?.stdoutLines ?? []).filter { !$0.contains("APDU: ") && !$0.contains("SW: ") }.suffix(120).joined(separator: "\n")
    }

    deinit { process.withLock { $0 }?.send(SIGKILL) }

    /// A free loopback port whose successor is free too: vpcd opens one listener per reader.
    private static func freePortPair() throws -> UInt16 {
        for _ in 0..<50 {
            let first = try LoopbackPort.bind(port: 0, anyAddress: true)
            guard first.port < UInt16.max, let second = try? LoopbackPort.bind(port: first.port + 1, anyAddress: true) else {
                close(first.socket)
                continue
            }
            close(first.socket)
            close(second.socket)
            return first.port
        }
        throw TestSetupError("no two adjacent free ports for vpcd")
    }
}
