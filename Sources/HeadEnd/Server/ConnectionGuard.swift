import Logging
import NIOCore
import NIOTLS

/// Per connection, behind the TLS handler: closes a connection whose handshake does not complete within the
/// handshake timeout or that stays silent past the idle timeout after it (an `IdleStateHandler` this handler puts in
/// front of itself, behind the TLS handler, once the handshake completed, raises the event: a slow handshake is the
/// handshake timeout's business, not idleness),
/// logs one line for a failed handshake, and keeps the connected-gateways gauge.
///
/// A certificate refused by `GatewayCertificateCheck` was logged with its reason already; other failures
/// (no certificate, no common cipher suite, a client that hung up) are logged here with BoringSSL's error.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny

    private let identity: ConnectionIdentity
    private let handshakeTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private let logger: Logger
    private var deadline: Scheduled<Void>?
    private var handshook = false
    private var reported = false

    init(identity: ConnectionIdentity, handshakeTimeout: TimeAmount, idleTimeout: TimeAmount, logger: Logger) {
        self.identity = identity
        self.handshakeTimeout = handshakeTimeout
        self.idleTimeout = idleTimeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let peer = Self.describe(context.channel.remoteAddress)
        let logger = self.logger
        let timeout = handshakeTimeout
        deadline = context.eventLoop.scheduleTask(in: handshakeTimeout) { [channel = context.channel] in
            logger.notice("TLS handshake refused: not completed within \(timeout)", metadata: ["peer": "\(peer)"])
            HeadEndMetrics.tlsRefused("handshake_timeout")
            channel.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            deadline?.cancel()
            handshook = true
            reported = true
            HeadEndMetrics.connected.increment()
            do {
                try context.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout), position: .before(self))
            } catch {
                // Only when the channel is closing already.
                context.close(promise: nil)
            }
            logger.info("gateway connected", metadata: [
                "peer": "\(Self.describe(context.channel.remoteAddress))", "gateway": "\(identity.gateway.map { "\($0)" } ?? "?")",
            ])
        } else if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            logger.info("closing a silent connection (idle timeout)", metadata: [
                "peer": "\(Self.describe(context.channel.remoteAddress))", "gateway": "\(identity.gateway.map { "\($0)" } ?? "?")",
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
                logger.notice("TLS handshake refused: \(error)", metadata: ["peer": "\(Self.describe(context.channel.remoteAddress))"])
            }
        } else if handshook {
            logger.notice("closing the connection: \(error)", metadata: [
                "peer": "\(Self.describe(context.channel.remoteAddress))", "gateway": "\(identity.gateway.map { "\($0)" } ?? "?")",
            ])
        }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        if handshook {
            HeadEndMetrics.connected.decrement()
            logger.info("gateway disconnected", metadata: ["gateway": "\(identity.gateway.map { "\($0)" } ?? "?")"])
        }
        context.fireChannelInactive()
    }

    static func describe(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress else { return "unknown" }
        let port = address.port.map(String.init) ?? "?"
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
