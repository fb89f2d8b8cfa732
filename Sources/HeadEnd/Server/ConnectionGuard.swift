import Logging
import NIOCore
import NIOTLS
import Transport

/// Per connection, behind the TLS handler: closes a connection whose handshake does not complete within the
/// handshake timeout or that stays silent past the idle timeout after it (an `IdleStateHandler` this handler puts in
/// front of itself, behind the TLS handler, once the handshake completed, raises the event: a slow handshake is the
/// handshake timeout's business, not idleness), tells the connection registry that the connection is authenticated
/// (no longer closed for room), logs a failed handshake, and keeps the connected-gateways gauge.
///
/// A completed handshake without a gateway identity is closed at once: only `GatewayCertificateCheck`'s answer
/// names the gateway, so a handshake it did not decide (a resumed TLS session, which skips certificate checks)
/// never reaches the frames.
///
/// A certificate refused by `GatewayCertificateCheck` was logged with its reason already; other failures
/// (no certificate, no common cipher suite, a client that hung up) are logged here with BoringSSL's error. Both go
/// through `RepeatedEventLog`: a flood of them is one line per interval with a count.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny

    private let identity: ConnectionIdentity
    private let registry: ConnectionRegistry
    private let ticket: ConnectionRegistry.Ticket
    private let handshakeTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private let logger: Logger
    private let events: RepeatedEventLog
    private var deadline: Scheduled<Void>?
    private var handshook = false
    private var reported = false

    init(identity: ConnectionIdentity, registry: ConnectionRegistry, ticket: ConnectionRegistry.Ticket, handshakeTimeout: TimeAmount,
         idleTimeout: TimeAmount, logger: Logger, events: RepeatedEventLog) {
        self.identity = identity
        self.registry = registry
        self.ticket = ticket
        self.handshakeTimeout = handshakeTimeout
        self.idleTimeout = idleTimeout
        self.logger = logger
        self.events = events
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let peer = SocketAddress.describe(context.channel.remoteAddress)
        let events = self.events
        let timeout = handshakeTimeout
        deadline = context.eventLoop.scheduleTask(in: handshakeTimeout) { [channel = context.channel] in
            events.log("handshake-timeout", level: .notice, "TLS handshake refused: not completed within \(timeout)", metadata: ["peer": "\(peer)"])
            HeadEndMetrics.tlsRefused("handshake_timeout")
            channel.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            deadline?.cancel()
            handshook = true
            reported = true
            registry.markBusy(ticket)
            guard let gateway = identity.gateway else {
                logger.error("closing a connection whose TLS handshake completed without the gateway certificate check",
                             metadata: ["peer": "\(SocketAddress.describe(context.channel.remoteAddress))"])
                context.close(promise: nil)
                return
            }
            HeadEndMetrics.connected.increment()
            do {
                try context.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout), position: .before(self))
            } catch {
                // Only when the channel is closing already.
                context.close(promise: nil)
            }
            logger.info("gateway connected", metadata: [
                "peer": "\(SocketAddress.describe(context.channel.remoteAddress))", "gateway": "\(gateway)",
            ])
        } else if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            logger.info("closing a silent connection (idle timeout)", metadata: [
                "peer": "\(SocketAddress.describe(context.channel.remoteAddress))", "gateway": "\(identity.gateway.map { "\($0)" } ?? "?")",
            ])
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !reported {
            reported = true
            deadline?.cancel()
            if identity.refusal == nil {
                HeadEndMetrics.tlsRefused("handshake_failed")
                events.log("handshake-failed", level: .notice, "TLS handshake refused: \(error)",
                           metadata: ["peer": "\(SocketAddress.describe(context.channel.remoteAddress))"])
            }
        } else if handshook {
            logger.notice("closing the connection: \(error)", metadata: [
                "peer": "\(SocketAddress.describe(context.channel.remoteAddress))", "gateway": "\(identity.gateway.map { "\($0)" } ?? "?")",
            ])
        }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        if handshook, identity.gateway != nil {
            HeadEndMetrics.connected.decrement()
            logger.info("gateway disconnected", metadata: ["gateway": "\(identity.gateway.map { "\($0)" } ?? "?")"])
        }
        context.fireChannelInactive()
    }
}
