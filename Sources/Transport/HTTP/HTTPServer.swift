import Logging
import Metrics
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SwiftASN1
import Synchronization
import X509

/// A small HTTP/1.1 server on SwiftNIO, with or without TLS, that hands each complete request to an async handler.
/// Handlers run as tasks, never on the event loop, so a CA key on a slow token cannot stall other connections.
///
/// The server binds in `init`, so a daemon learns of a busy port before it announces anything, and then lives until
/// `shutdown(drain:)`: the listener closes at once, requests in flight get `drain` to finish. Every server of a
/// process runs on one event-loop group (`MultiThreadedEventLoopGroup.singleton` unless told otherwise): two cores
/// gain nothing from a thread pool per listener.
///
/// What a client may hold is bounded by `HTTPServerLimits`: deadlines for the head and the body, an idle timeout,
/// a head and a body size, and a number of open connections, at which the one that waited longest for its request
/// makes room (see `ConnectionRegistry`).
///
/// What it reports, labelled with its `name`: one log line per request (method, path without the query, status,
/// peer; never headers or bodies, where enrollment secrets and CSRs travel), `http_requests_total` by route and
/// status, `http_connections_dropped_total` by reason (a timeout, a malformed or oversized head, the limit), and
/// `tls_handshake_failures_total` with a log line naming the peer and BoringSSL's reason.
public final class HTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPRequestMessage) async -> HTTPResponseMessage
    /// Names a request for the requests counter. Paths carry serials and base64 OCSP requests; a label per path
    /// would grow the metrics without bound, so a route is the path's shape (`/certificates/{serial}`).
    public typealias Router = @Sendable (HTTPRequestMessage) -> String

    /// The listener's name in logs and metrics (`https`, `http`, `metrics`).
    public let name: String
    public let host: String
    private let channel: any Channel
    public let limits: HTTPServerLimits
    private let connections: ConnectionRegistry
    private let events: RepeatedEventLog
    private let logger: Logger

    /// The port the server listens on (the one the system chose, for port 0).
    public let port: Int

    /// Where a server listens: a TCP address, or a Unix domain socket, whose callers the kernel names
    /// (`HTTPRequestMessage.peer`) and whose file's owner, group and mode say who may connect.
    public enum Address: Sendable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    public convenience init(
        name: String = "http", host: String, port: Int, tls: TLSConfiguration?, limits: HTTPServerLimits = HTTPServerLimits(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "http-server"),
        router: @escaping Router = HTTPServer.firstSegment,
        handler: @escaping Handler
    ) async throws(HTTPServerError) {
        try await self.init(name: name, at: .tcp(host: host, port: port), tls: tls, limits: limits, group: group, logger: logger,
                            router: router, handler: handler)
    }

    /// A server on `address`. A Unix socket's file is replaced if one is left from an earlier run; the caller sets
    /// its group and mode.
    public init(
        name: String = "http", at address: Address, tls: TLSConfiguration?, limits: HTTPServerLimits = HTTPServerLimits(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "http-server"),
        router: @escaping Router = HTTPServer.firstSegment,
        handler: @escaping Handler
    ) async throws(HTTPServerError) {
        let (host, port) = switch address {
        case .tcp(let host, let port): (host, port)
        case .unixSocket(let path): ("unix:" + path, 0)
        }
        self.name = name
        self.host = host
        var tagged = logger
        tagged[metadataKey: "listener"] = .string(name)
        let logger = tagged
        self.logger = logger
        self.limits = limits
        // A flood repeats the same few lines: each kind is logged once per interval with a count.
        let events = RepeatedEventLog(logger: logger)
        self.events = events
        let connections = ConnectionRegistry(limit: limits.maxConnections, listener: name, events: events)
        self.connections = connections
        let context: NIOSSLContext?
        do {
            context = try tls.map { try NIOSSLContext(configuration: $0) }
        } catch {
            throw .unusableTLSConfiguration(reason: "\(error)")
        }
        let metrics = RequestMetrics(listener: name, router: router)
        // Only a TLS listener has handshakes to fail; a plain one shows no such counter.
        let handshakeFailures = context.map { _ in Counter(label: "tls_handshake_failures_total", dimensions: [("listener", name)]) }
        do {
            let bootstrap = ServerBootstrap(group: group)
                // NIO's default: a burst of connects waits here rather than in SYN retransmits a second apart.
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        // Out of descriptors all the same (other files, another listener): retry accepting a
                        // second later instead of spinning on EMFILE.
                        try pipeline.addHandler(AcceptBackoffHandler(shouldForwardIOErrorCaught: false))
                        try pipeline.addHandler(ConnectionLimiter(registry: connections))
                    }
                }
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        guard let ticket = connections.admit(channel) else { throw ConnectionLimitReached() }
                        let pipeline = channel.pipeline.syncOperations
                        // First, so that every byte from the client counts, TLS records included.
                        try pipeline.addHandler(IdleStateHandler(readTimeout: TimeAmount(limits.idleTimeout)))
                        if let context, let handshakeFailures {
                            try pipeline.addHandler(NIOSSLServerHandler(context: context))
                            try pipeline.addHandler(TLSHandshakeObserver(events: events, failures: handshakeFailures))
                        }
                        try pipeline.configureHTTPServerPipeline(
                            withPipeliningAssistance: false, withErrorHandling: false,
                            withEncoderConfiguration: .init(), withDecoderLimitConfiguration: HTTPServerLimits.decoderLimits
                        )
                        try pipeline.addHandler(RequestHandler(
                            handler: handler, logger: logger, metrics: metrics, limits: limits, registry: connections, ticket: ticket
                        ))
                    }
                }
            channel = switch address {
            case .tcp(let host, let port): try await bootstrap.bind(host: host, port: port).get()
            case .unixSocket(let path): try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
            }
        } catch {
            throw .cannotListen(host: host, port: port, reason: HTTPServerError.reason(error))
        }
        self.port = channel.localAddress?.port ?? port
    }

    /// Stops accepting connections at once, gives open ones `drain` to finish their request, then closes the rest.
    public func shutdown(drain: Duration = .seconds(2)) async {
        try? await channel.close()
        defer { events.flush() }
        let open = connections.snapshot
        guard !open.isEmpty else { return }
        logger.debug("closing the listener", metadata: ["open-connections": "\(open.count)"])
        let connections = self.connections
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for connection in open { try? await connection.closeFuture.get() }
            }
            group.addTask {
                // Cancelled when every connection closed by itself; either way nothing is left open after it.
                try? await Task.sleep(for: drain)
                for connection in connections.snapshot { connection.close(promise: nil) }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Closes the listener and every open connection at once.
    public func stop() async {
        await shutdown(drain: .zero)
    }

    /// Waits until the listener is closed.
    public func wait() async {
        try? await channel.closeFuture.get()
    }

    /// The default route: the path's first segment, so `/certificates/0A1B` counts as `/certificates`.
    public static let firstSegment: Router = { request in
        "/" + (request.path.split(separator: "/").first.map(String.init) ?? "")
    }

    /// `127.0.0.1:54321` or `[::1]:54321`, as a log names a peer.
    public static func describe(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress else { return "unknown" }
        let port = address.port.map(String.init) ?? "?"
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}

/// A connection the listener closed at once: it was full of connections being answered.
struct ConnectionLimitReached: Error {}

/// `http_requests_total{listener, route, status}`.
struct RequestMetrics: Sendable {
    let listener: String
    let router: HTTPServer.Router

    func record(_ request: HTTPRequestMessage, status: HTTPResponseStatus) {
        Counter(label: "http_requests_total", dimensions: [
            ("listener", listener), ("route", router(request)), ("status", String(status.code)),
        ]).increment()
    }
}
