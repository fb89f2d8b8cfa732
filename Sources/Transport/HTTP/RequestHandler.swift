import Logging
import Metrics
import NIOCore
import NIOHTTP1
import NIOSSL
import X509

/// Collects one request, runs the handler off the event loop, writes the answer, and closes the connection (one
/// request per connection keeps the server simple; EST clients reconnect anyway). Every answer says
/// `Connection: close`, and the connection is closed once it is written.
///
/// It also keeps the connection's deadlines (`HTTPServerLimits`): the head must arrive within the header timeout
/// of the accept (the TLS handshake included, so it starts here, before any byte), the body within the body timeout
/// of the head, and a connection silent for the idle timeout is closed; none applies once the request is complete.
/// A request NIO's parser refuses gets 400 (431 for a head over the size limit) and the connection is closed, where
/// NIO's own error handler would leave it open.
final class RequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum Phase {
        /// Waiting for the request head (and the TLS handshake before it).
        case head
        /// Waiting for the rest of the body.
        case body(HTTPRequestHead, [UInt8])
        /// The request is complete, or refused; nothing more is read.
        case answering
    }

    private let handler: HTTPServer.Handler
    private let logger: Logger
    private let metrics: RequestMetrics
    private let limits: HTTPServerLimits
    private let registry: ConnectionRegistry
    private let ticket: ConnectionRegistry.Ticket
    private var phase = Phase.head
    private var deadline: Scheduled<Void>?

    init(
        handler: @escaping HTTPServer.Handler, logger: Logger, metrics: RequestMetrics, limits: HTTPServerLimits,
        registry: ConnectionRegistry, ticket: ConnectionRegistry.Ticket
    ) {
        self.handler = handler
        self.logger = logger
        self.metrics = metrics
        self.limits = limits
        self.registry = registry
        self.ticket = ticket
    }

    func handlerAdded(context: ChannelHandlerContext) {
        closeAfter(limits.headerTimeout, reason: .headerTimeout, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (phase, unwrapInboundIn(data)) {
        case (.head, .head(let head)):
            if let length = head.headers.first(name: "Content-Length").flatMap(Int.init), length > HTTPServerLimits.maximumBodySize {
                refuseTooLarge(head, context: context)
                return
            }
            phase = .body(head, [])
            closeAfter(limits.bodyTimeout, reason: .bodyTimeout, context: context)
        case (.body(let head, var body), .body(let buffer)):
            guard body.count + buffer.readableBytes <= HTTPServerLimits.maximumBodySize else {
                refuseTooLarge(head, context: context)
                return
            }
            phase = .answering  // lets `body` be appended to in place
            body += buffer.readableBytesView
            phase = .body(head, body)
        case (.body(let head, let body), .end):
            answer(head, body: body, context: context)
        case (.answering, _):
            break  // a pipelined request, or the rest of a refused one: one request per connection
        default:
            break  // NIO's decoder delivers head, body, end in order
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            if case .answering = phase { return }  // silence is expected while pkid works on the answer
            drop(.idleTimeout, context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // While answering, the answer is on its way and closes the connection; closing now could cut it off.
        if case .answering = phase { return }
        guard let parserError = error as? HTTPParserError else {
            // A failed handshake (counted by TLSHandshakeObserver), a reset: the connection is of no further use.
            context.close(promise: nil)
            return
        }
        let tooLarge = parserError == .headerOverflow
        DroppedConnections.count(tooLarge ? .headTooLarge : .malformed, listener: metrics.listener)
        respond(context: context, to: nil, tooLarge
            ? .text(.requestHeaderFieldsTooLarge, "the request line and headers exceed \(HTTPServerLimits.maximumFieldSize) bytes a line or \(HTTPServerLimits.maximumHeadSize) in all")
            : .text(.badRequest, "malformed HTTP/1.1 request (\(parserError))"))
    }

    // MARK: Answers

    private func answer(_ head: HTTPRequestHead, body: [UInt8], context: ChannelHandlerContext) {
        phase = .answering
        deadline?.cancel()
        registry.markBusy(ticket)
        // Nothing more is read: a pipelined request would only be dropped, and reading it would cost memory.
        context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        let request = HTTPRequestMessage(
            method: head.method, uri: head.uri, headers: head.headers, body: body, clientCertificate: Self.peerCertificate(context.channel)
        )
        let handler = self.handler
        let channel = context.channel
        let promise = context.eventLoop.makePromise(of: HTTPResponseMessage.self)
        promise.completeWithTask {
            var request = request
            request.peer = await PeerCredentials.of(channel)
            return await handler(request)
        }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        promise.futureResult.whenSuccess { response in
            bound.value.0.respond(context: bound.value.1, to: request, response)
        }
    }

    /// 413 as soon as the declared or received body passes the limit, rather than reading the rest of it.
    private func refuseTooLarge(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let request = HTTPRequestMessage(method: head.method, uri: head.uri, headers: head.headers, body: [], clientCertificate: nil)
        respond(context: context, to: request, .text(.payloadTooLarge, "request body over \(HTTPServerLimits.maximumBodySize) bytes"))
    }

    /// Writes `response` and closes the connection; `request` is nil for bytes that were no request.
    private func respond(context: ChannelHandlerContext, to request: HTTPRequestMessage?, _ response: HTTPResponseMessage) {
        phase = .answering
        deadline?.cancel()
        let peer: Logger.Metadata = ["peer": "\(HTTPServer.describe(context.channel.remoteAddress))"]
        if let request {
            logger.info("\(request.method) \(request.path) \(response.status.code)", metadata: peer)
            metrics.record(request, status: response.status)
        } else {
            logger.info("not an HTTP request: \(response.status.code)", metadata: peer)
        }
        var headers = response.headers
        headers.replaceOrAdd(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }

    // MARK: Deadlines

    /// Replaces the connection's deadline: it is closed after `timeout` unless the next phase comes first.
    private func closeAfter(_ timeout: Duration, reason: DroppedConnections.Reason, context: ChannelHandlerContext) {
        deadline?.cancel()
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            bound.value.0.drop(reason, context: bound.value.1)
        }
    }

    private func drop(_ reason: DroppedConnections.Reason, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        DroppedConnections.count(reason, listener: metrics.listener)
        logger.debug("closing a connection: \(reason.rawValue)", metadata: ["peer": "\(HTTPServer.describe(context.channel.remoteAddress))"])
        phase = .answering
        context.close(promise: nil)
    }

    /// The client certificate of a TLS connection, as swift-certificates parses it.
    private static func peerCertificate(_ channel: any Channel) -> Certificate? {
        guard let ssl = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
              let peer = ssl.peerCertificate,
              let der = try? peer.toDERBytes() else { return nil }
        return try? Certificate(derEncoded: der)
    }
}

/// `http_connections_dropped_total{listener, reason}`: connections closed before their request was answered.
enum DroppedConnections {
    enum Reason: String {
        case idleTimeout = "idle_timeout"
        case headerTimeout = "header_timeout"
        case bodyTimeout = "body_timeout"
        case malformed
        case headTooLarge = "head_too_large"
    }

    static func count(_ reason: Reason, listener: String) {
        Counter(label: "http_connections_dropped_total", dimensions: [("listener", listener), ("reason", reason.rawValue)]).increment()
    }
}
