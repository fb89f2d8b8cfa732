import HTTPTypes
import HummingbirdCore
import Logging
import Metrics
import NIOCore
import NIOSSL
import X509

/// Hummingbird's HTTP/1.1 channel with what a listener of this project adds around it, in pipeline order:
/// the connection's place under the listener's limit (`ConnectionRegistry`: at the limit the connection that waited
/// longest for its request makes room; a listener full of busy ones closes the newcomer), the idle timeout before
/// TLS (so every byte counts, handshake records included), TLS with a handshake observer, and behind Hummingbird's
/// codec the request deadlines (`RequestDeadlines`).
///
/// Hummingbird's own idle timeout counts from the last HTTP part it read, after TLS, so a body that trickles in a
/// byte at a time never meets it; the body deadline, eviction for room and 431 for an oversized head it has no
/// notion of.
///
/// Its responder runs an `HTTPServer.Handler`: it collects the body (413 past `maximumBodySize`, declared or
/// received), hands the request with its TLS client certificate and its Unix-socket caller to the handler, writes the
/// answer, logs one line and counts it (`http_requests_total{listener, route, status}`).
struct LimitedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    private let listener: String
    private let limits: HTTPServerLimits
    private let tls: NIOSSLContext?
    private let handshakeFailures: Counter?
    private let connections: ConnectionRegistry
    private let events: RepeatedEventLog
    private let router: HTTPServer.Router
    private let handler: HTTPServer.Handler
    private let logger: Logger

    init(listener: String, tls: TLSConfiguration?, limits: HTTPServerLimits, connections: ConnectionRegistry, events: RepeatedEventLog,
         logger: Logger, router: @escaping HTTPServer.Router, handler: @escaping HTTPServer.Handler) throws {
        self.listener = listener
        self.limits = limits
        self.tls = try tls.map { try NIOSSLContext(configuration: $0) }
        // Only a TLS listener has handshakes to fail; a plain one shows no such counter.
        handshakeFailures = tls.map { _ in Counter(label: "tls_handshake_failures_total", dimensions: [("listener", listener)]) }
        self.connections = connections
        self.events = events
        self.logger = logger
        self.router = router
        self.handler = handler
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let admitted = channel.eventLoop.makeCompletedFuture { () throws -> ConnectionRegistry.Ticket in
            guard let ticket = connections.admit(channel) else {
                channel.close(promise: nil)
                throw ConnectionLimitReached()
            }
            // Hummingbird's bootstrap allows half-closed connections; here a client's end of stream ends it. Otherwise
            // a TLS connection whose client left without close_notify stays until NIOSSL's shutdown timeout, and
            // pkid's SIGTERM with it.
            try channel.syncOptions?.setOption(ChannelOptions.allowRemoteHalfClosure, value: false)
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(IdleStateHandler(readTimeout: TimeAmount(limits.idleTimeout)))
            if let tls, let handshakeFailures {
                try pipeline.addHandler(NIOSSLServerHandler(context: tls))
                try pipeline.addHandler(TLSHandshakeObserver(events: events, failures: handshakeFailures))
            }
            return ticket
        }
        return admitted.flatMap { [listener, limits, connections, events] ticket in
            HTTP1Channel(responder: respond, configuration: .init(
                additionalChannelHandlers: [
                    RequestDeadlines(listener: listener, limits: limits, connections: connections, ticket: ticket, events: events),
                ],
                httpDecoderConfiguration: .init(maxHeaderFieldSize: HTTPServerLimits.maximumFieldSize,
                                                maxHeaderListSize: HTTPServerLimits.maximumHeadSize,
                                                maxHeaderFieldCount: HTTPServerLimits.maximumHeaderCount)
            )).setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await HTTP1Channel(responder: respond).handle(value: value, logger: logger)
    }

    private func respond(to request: Request, writer: consuming ResponseWriter, channel: any Channel) async throws {
        var response: Response
        // Made only for a request it refuses, not for every request.
        func tooLarge() -> Response { .text(.contentTooLarge, "request body over \(HTTPServerLimits.maximumBodySize) bytes") }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > HTTPServerLimits.maximumBodySize {
            response = tooLarge()
        } else {
            do {
                let body = try await request.body.collect(upTo: HTTPServerLimits.maximumBodySize)
                // A certificate the handshake accepted but that does not parse is no identity, as none is.
                let certificate = tls == nil ? nil : try? await channel.nioSSL_peerCertificate().get().map { try Certificate(derEncoded: $0.toDERBytes()) }
                let context = HTTPRequestContext(body: Array(body.readableBytesView), clientCertificate: certificate,
                                                 peer: await PeerCredentials.of(channel))
                response = await handler(request, context)
            } catch is NIOTooManyBytesError {
                response = tooLarge()
            }
        }
        logger.info("\(request.method) \(request.uri.path) \(response.status.code)", metadata: ["peer": "\(SocketAddress.describe(channel.remoteAddress))"])
        Counter(label: "http_requests_total", dimensions: [
            ("listener", listener), ("route", router(request.uri.path)), ("status", String(response.status.code)),
        ]).increment()
        // One request per connection.
        response.headers[.connection] = "close"
        try await writer.write(response: response.head, body: response.body)
    }
}

/// A connection the listener closed at once: it was full of connections being answered.
struct ConnectionLimitReached: Error {}
