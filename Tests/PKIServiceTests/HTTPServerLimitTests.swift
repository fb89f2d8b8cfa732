import Foundation
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing
import TestSupport
import Transport

/// The listener's connection limit on loopback, in-process so that a handler can be held busy: at the limit the
/// connection that waited longest for its request makes room, and when every connection is busy being answered,
/// newcomers wait in the kernel's accept queue until one is done.
@Suite("HTTP server connection limit")
struct HTTPServerLimitTests {
    /// Long timeouts, so only the limit can close anything here.
    static func limits(_ maxConnections: Int) -> HTTPServerLimits {
        HTTPServerLimits(idleTimeout: .seconds(60), headerTimeout: .seconds(60), bodyTimeout: .seconds(60), maxConnections: maxConnections)
    }

    static let request = "GET /ca HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    @Test("at a limit of 2, a request gets through two silent connections; the older one is closed, the newer stays open")
    func oldestWaitingMakesRoom() async throws {
        let server = try await HTTPServer(at: .tcp(host: "127.0.0.1", port: 0), tls: nil, limits: Self.limits(2)) { _, _ in .text(.ok, "answered") }
        let port = server.port
        let (older, newer, answer) = try await offPool {
            let older = try RawConnection(port: port)
            usleep(200_000)  // accepted and admitted, in this order
            let newer = try RawConnection(port: port)
            usleep(200_000)
            let asking = try RawConnection(port: port)
            asking.send(Self.request)
            return (older.read(timeout: 5), newer.read(timeout: 0.5), asking.read(timeout: 10))
        }
        #expect(answer.text.hasPrefix("HTTP/1.1 200 OK"), "\(answer.text)")
        #expect(answer.text.hasSuffix("answered\n"), "\(answer.text)")
        #expect(older.closed && older.text.isEmpty, "the oldest silent connection: \(older)")
        #expect(!newer.closed, "the newer silent connection was closed too")
        await server.stop()
    }

    @Test("at a limit of 1 with its connection busy, a newcomer is not accepted until the answer is done, then answered")
    func busyListenerStopsAccepting() async throws {
        let gate = Gate()
        let handled = Mutex(0)
        let server = try await HTTPServer(at: .tcp(host: "127.0.0.1", port: 0), tls: nil, limits: Self.limits(1)) { _, _ in
            let number = handled.withLock { count in
                count += 1
                return count
            }
            if number == 1 { await gate.wait() }
            return .text(.ok, "answer \(number)")
        }
        let port = server.port
        let first = try RawConnection(port: port)
        first.send(Self.request)
        while handled.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }  // busy now
        let second = try RawConnection(port: port)  // the kernel completes the handshake; pkid does not accept
        second.send(Self.request)
        let waiting = try await offPool { second.read(timeout: 1) }
        #expect(waiting.text.isEmpty && !waiting.closed, "the newcomer was served or closed while the listener was full: \(waiting)")
        #expect(handled.withLock { $0 } == 1)

        gate.open()
        // Generous: other suites (the flood tests) may load the machine; a read returns as soon as the answer is in.
        let (one, two) = try await offPool { (first.read(timeout: 10), second.read(timeout: 10)) }
        #expect(one.text.hasSuffix("answer 1\n") && one.closed, "\(one)")
        #expect(two.text.hasPrefix("HTTP/1.1 200 OK") && two.text.hasSuffix("answer 2\n"), "\(two)")
        await server.stop()
    }
}

extension HTTPServerLimitTests {
    /// Hummingbird's HTTP/1.1 channel has one timeout, `idleTimeout`, counted from the last HTTP part it read. A head
    /// arrives as one part, so a head that trickles in is closed by it; but every read of a body is a part, so a
    /// slowloris that sends its body a byte at a time, each within the idle timeout, is never closed. That is why
    /// `RequestDeadlines` stays this project's own: the body must be complete within the body timeout of the head.
    @Test("a body sent a byte per 100 ms: Hummingbird with a 2 s idle timeout answers it after 3 s; ours closes it at its 1 s body deadline")
    func slowBodyOutlivesHummingbirdsIdleTimeout() async throws {
        let bare = try await BareHummingbird(idleTimeout: .seconds(2))
        let kept = try await offPool { try RawConnection(port: bare.port).dribble(body: Self.slowBody) }
        #expect(kept.sent == Self.slowBody.utf8.count && !kept.closed, "Hummingbird closed the dribbling connection itself: \(kept)")
        #expect(kept.answer.hasPrefix("HTTP/1.1 200 OK"), "\(kept)")
        await bare.stop()

        let limits = HTTPServerLimits(idleTimeout: .seconds(2), headerTimeout: .seconds(60), bodyTimeout: .seconds(1), maxConnections: 10)
        let server = try await HTTPServer(at: .tcp(host: "127.0.0.1", port: 0), tls: nil, limits: limits) { _, _ in .text(.ok, "answered") }
        let port = server.port
        // A body that would take a minute: the close at the deadline ends it after about a second, however loaded the
        // machine, and nothing but the deadline can close it before the minute is out.
        let closed = try await offPool { try RawConnection(port: port).dribble(body: Self.minuteBody) }
        #expect(closed.closed && closed.sent < Self.minuteBody.utf8.count && closed.answer.isEmpty, "\(closed)")
        await server.stop()
    }

    /// 30 bytes: 3 s at a byte per 100 ms.
    static let slowBody = String(repeating: "x", count: 30)
    /// 600 bytes: a minute at a byte per 100 ms.
    static let minuteBody = String(repeating: "x", count: 600)
}

extension RawConnection {
    /// Sends a POST's head at once and then its `body` one byte at a time, each after 100 ms of watching for the
    /// server's close (the pacing), then reads the answer; stops at the close.
    func dribble(body: String) -> (sent: Int, closed: Bool, answer: String) {
        send("POST /ca HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
        var sent = 0
        for byte in body.utf8 {
            if read(timeout: 0.1).closed { return (sent, true, "") }
            send(String(decoding: [byte], as: UTF8.self))
            sent += 1
        }
        let answer = read(timeout: 10)
        return (sent, answer.text.isEmpty && answer.closed, answer.text)
    }
}

/// HummingbirdCore's own HTTP/1.1 server with nothing of this project's around it, answering 200 to everything.
final class BareHummingbird: Sendable {
    let port: Int
    private let server: Server<HTTP1Channel>
    private let running: Task<Void, any Error>

    init(idleTimeout: TimeAmount) async throws {
        let (bound, binding) = AsyncStream.makeStream(of: Int.self)
        let responder: HTTPChannelHandler.Responder = { request, writer, _ in
            _ = try await request.body.collect(upTo: 1_024)
            try await writer.write(response: HTTPResponse(status: .ok, headerFields: [.connection: "close"]),
                                   body: ResponseBody(byteBuffer: ByteBuffer(string: "answered\n")))
        }
        let server = Server(
            childChannelSetup: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idleTimeout)),
            configuration: ServerConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { binding.yield($0.localAddress?.port ?? 0) },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "bare-hummingbird")
        )
        self.server = server
        // A server that fails before it binds ends the stream, so the wait below ends too.
        running = Task {
            defer { binding.finish() }
            try await server.run()
        }
        guard let port = await bound.first(where: { _ in true }), port != 0 else {
            throw TestSetupError("Hummingbird's server did not listen: \(await running.result)")
        }
        self.port = port
    }

    func stop() async {
        try? await server.shutdownGracefully()
        _ = try? await running.value
    }
}

/// Holds handlers until `open()`.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resume = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resume { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
