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
/// What it reports, labelled with its `name`: one log line per request (method, path without the query, status,
/// peer; never headers or bodies, where enrollment secrets and CSRs travel), `http_requests_total` by route and
/// status, and `tls_handshake_failures_total` with a log line naming the peer and BoringSSL's reason.
public final class HTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPRequestMessage) async -> HTTPResponseMessage
    /// Names a request for the requests counter. Paths carry serials and base64 OCSP requests; a label per path
    /// would grow the metrics without bound, so a route is the path's shape (`/certificates/{serial}`).
    public typealias Router = @Sendable (HTTPRequestMessage) -> String

    /// Requests larger than this are refused (a CSR is a few hundred bytes).
    static let maximumBodySize = 64 * 1024
    /// A connection silent this long between requests is closed, so a client that connects and says nothing
    /// cannot hold a connection, or a graceful shutdown, forever.
    static let idleTimeout = TimeAmount.seconds(30)

    /// The listener's name in logs and metrics (`https`, `http`, `metrics`).
    public let name: String
    public let host: String
    private let channel: any Channel
    private let connections: OpenConnections
    private let logger: Logger

    /// The port the server listens on (the one the system chose, for port 0).
    public let port: Int

    public init(
        name: String = "http", host: String, port: Int, tls: TLSConfiguration?,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "http-server"),
        router: @escaping Router = HTTPServer.firstSegment,
        handler: @escaping Handler
    ) async throws(HTTPServerError) {
        self.name = name
        self.host = host
        var tagged = logger
        tagged[metadataKey: "listener"] = .string(name)
        let logger = tagged
        self.logger = logger
        let connections = OpenConnections()
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
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        connections.insert(channel)
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(IdleStateHandler(readTimeout: Self.idleTimeout))
                        if let context, let handshakeFailures {
                            try pipeline.addHandler(NIOSSLServerHandler(context: context))
                            try pipeline.addHandler(TLSHandshakeObserver(logger: logger, failures: handshakeFailures))
                        }
                        try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                        try pipeline.addHandler(RequestHandler(handler: handler, logger: logger, metrics: metrics))
                    }
                }
                .bind(host: host, port: port)
                .get()
        } catch {
            throw .cannotListen(host: host, port: port, reason: HTTPServerError.reason(error))
        }
        self.port = channel.localAddress?.port ?? port
    }

    /// Stops accepting connections at once, gives open ones `drain` to finish their request, then closes the rest.
    public func shutdown(drain: Duration = .seconds(2)) async {
        try? await channel.close()
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
    static func describe(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress else { return "unknown" }
        let port = address.port.map(String.init) ?? "?"
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}

/// The server's open connections, so a shutdown can wait for them and then close what is left.
private final class OpenConnections: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func insert(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { _ in _ = self.channels.withLock { $0.removeValue(forKey: id) } }
    }

    var snapshot: [any Channel] { channels.withLock { Array($0.values) } }
}

/// `http_requests_total{listener, route, status}`.
private struct RequestMetrics: Sendable {
    let listener: String
    let router: HTTPServer.Router

    func record(_ request: HTTPRequestMessage, status: HTTPResponseStatus) {
        Counter(label: "http_requests_total", dimensions: [
            ("listener", listener), ("route", router(request)), ("status", String(status.code)),
        ]).increment()
    }
}

/// Collects one request, runs the handler off the event loop, writes the answer, and closes the connection
/// (one request per connection keeps the server simple; EST clients reconnect anyway).
private final class RequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let handler: HTTPServer.Handler
    private let logger: Logger
    private let metrics: RequestMetrics
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    /// A request is being handled: silence from the client is expected then.
    private var busy = false

    init(handler: @escaping HTTPServer.Handler, logger: Logger, metrics: RequestMetrics) {
        self.handler = handler
        self.logger = logger
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            tooLarge = false
        case .body(let buffer):
            if body.count + buffer.readableBytes > HTTPServer.maximumBodySize { tooLarge = true } else { body += buffer.readableBytesView }
        case .end:
            guard let head else { return }
            self.head = nil
            busy = true
            let request = HTTPRequestMessage(
                method: head.method, uri: head.uri, headers: head.headers, body: body,
                clientCertificate: Self.peerCertificate(context.channel)
            )
            if tooLarge {
                respond(context: context, to: request, .text(.payloadTooLarge, "request body over \(HTTPServer.maximumBodySize) bytes"))
                return
            }
            let handler = self.handler
            let promise = context.eventLoop.makePromise(of: HTTPResponseMessage.self)
            promise.completeWithTask { await handler(request) }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            promise.futureResult.whenSuccess { response in
                bound.value.0.respond(context: bound.value.1, to: request, response)
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read, !busy {
            logger.debug("closing an idle connection", metadata: ["peer": "\(HTTPServer.describe(context.channel.remoteAddress))"])
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func respond(context: ChannelHandlerContext, to request: HTTPRequestMessage, _ response: HTTPResponseMessage) {
        logger.info("\(request.method) \(request.path) \(response.status.code)", metadata: [
            "peer": "\(HTTPServer.describe(context.channel.remoteAddress))",
        ])
        metrics.record(request, status: response.status)
        var headers = response.headers
        headers.replaceOrAdd(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }

    /// The client certificate of a TLS connection, as swift-certificates parses it.
    private static func peerCertificate(_ channel: any Channel) -> Certificate? {
        guard let ssl = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
              let peer = ssl.peerCertificate,
              let der = try? peer.toDERBytes() else { return nil }
        return try? Certificate(derEncoded: der)
    }
}
