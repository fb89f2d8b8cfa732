import HummingbirdCore
import Logging
import Metrics
import NIOCore
import NIOSSL

/// Hummingbird's HTTP/1.1 channel with the limits a listener of this project holds around it, in pipeline order:
/// the connection's place under the listener's limit (`ConnectionRegistry`: at the limit the connection that waited
/// longest for its request makes room; a listener full of busy ones closes the newcomer), the idle timeout before
/// TLS (so every byte counts, handshake records included), TLS with a handshake observer, NIO's parser with this
/// project's head-size limits, and behind Hummingbird's codec the request deadlines (`RequestDeadlines`).
///
/// Hummingbird's own idle timeout counts from the last HTTP part it read, after TLS, so a body that trickles in a
/// byte at a time never meets it; the body deadline, eviction for room and 431 for an oversized head it has no
/// notion of (HTTPServerLimitTests shows each). What a request is answered with is the responder's.
struct LimitedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let listener: String
    let limits: HTTPServerLimits
    /// The TLS context and the counter of its failed handshakes; nil on a plain listener, which shows no such counter.
    let tls: (context: NIOSSLContext, handshakeFailures: Counter)?
    let connections: ConnectionRegistry
    let events: RepeatedEventLog
    let responder: HTTPChannelHandler.Responder

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
            if let tls {
                try pipeline.addHandler(NIOSSLServerHandler(context: tls.context))
                try pipeline.addHandler(TLSHandshakeObserver(events: events, failures: tls.handshakeFailures))
            }
            return ticket
        }
        return admitted.flatMap { [listener, limits, connections, events, responder] ticket in
            HTTP1Channel(responder: responder, configuration: .init(
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
        await HTTP1Channel(responder: responder).handle(value: value, logger: logger)
    }
}

/// A connection the listener closed at once: it was full of connections being answered.
struct ConnectionLimitReached: Error {}
