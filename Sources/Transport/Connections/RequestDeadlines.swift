import HTTPTypes
import HummingbirdCore
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Behind Hummingbird's codec, what it leaves to us of one connection's life (one request per connection: EST
/// clients reconnect anyway, and a connection that is done frees its descriptor at once).
///
/// Hummingbird's one timeout (`HTTP1Channel.Configuration.idleTimeout`) counts from the last HTTP part read, and
/// every read of a body is a part: a body sent a byte at a time is never closed by it (HTTPServerLimitTests,
/// `slowBodyOutlivesHummingbirdsIdleTimeout`). Nor does it answer a request NIO's parser refuses, or say why it
/// closed a connection. So this handler is kept, beside the connection registry:
///
/// - deadlines: the head within the header timeout of the accept (the TLS handshake included), the body within the
///   body timeout of the head, and no silence of the idle timeout (`IdleStateHandler`, in front of TLS); none
///   applies once the request is complete. The connection is then busy, no longer closed for room.
/// - a request NIO's parser refuses gets 400, or 431 for a head over the size limit, and the connection is closed.
/// - every answer says `Connection: close`, and the connection closes once it is written.
final class RequestDeadlines: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let listener: String
    private let limits: HTTPServerLimits
    private let connections: ConnectionRegistry
    private let ticket: ConnectionRegistry.Ticket
    private let events: RepeatedEventLog
    /// The request is complete, or refused: deadlines are over and nothing more is read.
    private var answering = false
    private var deadline: Scheduled<Void>?

    init(listener: String, limits: HTTPServerLimits, connections: ConnectionRegistry, ticket: ConnectionRegistry.Ticket,
         events: RepeatedEventLog) {
        self.listener = listener
        self.limits = limits
        self.connections = connections
        self.ticket = ticket
        self.events = events
    }

    func handlerAdded(context: ChannelHandlerContext) {
        closeAfter(limits.headerTimeout, reason: .headerTimeout, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answering else { return }  // a pipelined request: one request per connection
        switch unwrapInboundIn(data) {
        case .head: closeAfter(limits.bodyTimeout, reason: .bodyTimeout, context: context)
        case .body: break
        case .end:
            answering = true
            deadline?.cancel()
            connections.markBusy(ticket)
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read else {
            return context.fireUserInboundEventTriggered(event)
        }
        if !answering { drop(.idleTimeout, context: context) }  // silence is expected while the answer is worked on
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !answering else { return }  // the answer is on its way and closes the connection
        guard let parserError = error as? HTTPParserError else {
            // A failed handshake (counted by TLSHandshakeObserver), a reset: the connection is of no further use.
            return context.close(promise: nil)
        }
        answering = true
        deadline?.cancel()
        let tooLarge = parserError == .headerOverflow
        DroppedConnections.count(tooLarge ? .headTooLarge : .malformed, listener: listener)
        let message = tooLarge
            ? "the request line and headers exceed \(HTTPServerLimits.maximumFieldSize) bytes a line or \(HTTPServerLimits.maximumHeadSize) in all"
            : "malformed HTTP/1.1 request (\(parserError))"
        var answer = Response.text(tooLarge ? .requestHeaderFieldsTooLarge : .badRequest, message).head
        answer.headerFields[.connection] = "close"
        events.log("malformed", level: .info, "not an HTTP request: \(answer.status.code)",
                   metadata: ["peer": "\(SocketAddress.describe(context.channel.remoteAddress))"])
        context.write(wrapOutboundOut(.head(answer)), promise: nil)
        context.write(wrapOutboundOut(.body(Response.textLine(message))), promise: nil)
        write(context: context, data: wrapOutboundOut(.end(nil)), promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else { return context.write(data, promise: promise) }
        context.writeAndFlush(data).whenComplete { result in
            context.close(promise: nil)
            promise?.completeWith(result)
        }
    }

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
        DroppedConnections.count(reason, listener: listener)
        answering = true
        context.close(promise: nil)
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
