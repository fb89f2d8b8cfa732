import HummingbirdCore
import Logging
import Metrics
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// A listener on Hummingbird's HTTP/1.1 server, with or without TLS, that hands each complete request to an async
/// handler (`HandlerResponder`) and keeps `HTTPServerLimits` (`LimitedHTTP1Channel` says what Hummingbird holds and
/// what is added).
///
/// It binds in `init`, so a daemon learns of a busy port before it announces anything, and then lives until
/// `shutdown(drain:)`, or, run as a `Service`, until the group shuts down. (Hummingbird's own server as the service
/// would bind only when the group starts: too late for a daemon that prints its bound ports, in order, first.)
/// Every listener of a process runs on one event-loop group: two cores gain nothing from more.
///
/// What it reports, labelled with its `name`: one log line per request (method, path without the query, status,
/// peer; never headers or bodies, where enrollment secrets and CSRs travel), `http_requests_total` by route and
/// status, `http_connections_dropped_total` by reason, and `tls_handshake_failures_total`.
public final class HTTPServer: Service, Sendable {
    public typealias Handler = @Sendable (Request, HTTPRequestContext) async -> Response
    /// Names a request's path for the requests counter. Paths carry serials and base64 OCSP requests; a label per
    /// path would grow the metrics without bound, so a route is the path's shape (`/certificates/{serial}`).
    public typealias Router = @Sendable (_ path: String) -> String

    /// The listener's name in logs and metrics (`https`, `http`, `metrics`, `control`).
    public let name: String
    public let host: String
    /// The port the server listens on (the one the system chose, for port 0).
    public let port: Int
    private let server: Server<LimitedHTTP1Channel>
    private let running: Task<Void, Never>
    private let connections: ConnectionRegistry
    private let events: RepeatedEventLog
    private let logger: Logger

    /// Where a server listens: a TCP address, or a Unix domain socket, whose callers the kernel names
    /// (`HTTPRequestContext.peer`) and whose file's owner, group and mode say who may connect.
    public enum Address: Sendable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    /// A server on `address`. A Unix socket's file is replaced if one is left from an earlier run; the caller sets
    /// its group and mode.
    public init(
        name: String = "http", at address: Address, tls: TLSConfiguration?, limits: HTTPServerLimits = HTTPServerLimits(),
        logger: Logger = Logger(label: "http-server"), router: @escaping Router = HTTPServer.firstSegment, handler: @escaping Handler
    ) async throws(HTTPServerError) {
        let (host, port, bind): (String, Int, BindAddress) = switch address {
        case .tcp(let host, let port): (host, port, .hostname(host, port: port))
        case .unixSocket(let path): ("unix:" + path, 0, .unixDomainSocket(path: path))
        }
        (self.name, self.host) = (name, host)
        var logger = logger
        logger[metadataKey: "listener"] = .string(name)
        self.logger = logger
        // A flood repeats the same few lines: each kind is logged once per interval with a count.
        events = RepeatedEventLog(logger: logger)
        connections = ConnectionRegistry(limit: limits.maxConnections, listener: name, events: events)
        let responder = HandlerResponder(listener: name, tls: tls != nil, router: router, handler: handler, logger: logger)
        let channel: LimitedHTTP1Channel
        do {
            channel = LimitedHTTP1Channel(
                listener: name, limits: limits,
                tls: try tls.map {
                    (try NIOSSLContext(configuration: $0), Counter(label: "tls_handshake_failures_total", dimensions: [("listener", name)]))
                },
                connections: connections, events: events, responder: responder.respond
            )
        } catch {
            throw .unusableTLSConfiguration(reason: "\(error)")
        }
        // Hummingbird's own lines (a listener started) would repeat pkid's; its warnings and errors stay.
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let (bound, binding) = AsyncStream.makeStream(of: Result<Int, any Error>.self)
        let server = Server(
            childChannelSetup: channel,
            configuration: ServerConfiguration(address: bind),
            onServerRunning: { [connections] listener in
                do {
                    try await ConnectionLimiter.install(on: listener, registry: connections)
                    binding.yield(.success(listener.localAddress?.port ?? port))
                } catch {
                    binding.yield(.failure(error))
                }
            },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: quiet
        )
        self.server = server
        running = Task {
            do { try await server.run() } catch { binding.yield(.failure(error)) }
            binding.finish()
        }
        switch await bound.first(where: { _ in true }) {
        case .success(let port): self.port = port
        case .failure(let error): throw .cannotListen(host: host, port: port, reason: HTTPServerError.reason(error))
        case nil: throw .cannotListen(host: host, port: port, reason: "the server stopped before it listened")
        }
    }

    /// Stops accepting connections at once, gives open ones `drain` to finish their request, then closes the rest.
    public func shutdown(drain: Duration = .seconds(2)) async {
        defer { events.flush() }
        // Hummingbird's graceful shutdown waits for every connection; whatever is still open after `drain` is closed.
        let deadline = Task { [connections] in
            try await Task.sleep(for: drain)
            for connection in connections.snapshot { connection.close(promise: nil) }
        }
        do {
            try await server.shutdownGracefully()
            deadline.cancel()
        } catch {
            // The deadline still closes what is open; the log says the listener did not close cleanly.
            logger.error("the \(name) listener did not close cleanly: \(error)")
        }
        await running.value
    }

    /// Closes the listener and every open connection at once.
    public func stop() async {
        await shutdown(drain: .zero)
    }

    /// Serves until the service group shuts down gracefully, then closes the listener at once and gives requests in
    /// flight two seconds to finish; cancelled (the group's deadline passed), it closes everything.
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return await stop()
        }
        await shutdown()
        logger.info("closed the \(name) listener on \(host):\(port)")
    }

    /// The default route: the path's first segment, so `/certificates/0A1B` counts as `/certificates`.
    public static let firstSegment: Router = { path in
        "/" + (path.split(separator: "/").first.map(String.init) ?? "")
    }
}
