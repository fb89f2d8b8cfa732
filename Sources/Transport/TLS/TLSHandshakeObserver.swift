import Logging
import Metrics
import NIOCore
import NIOTLS

/// Sits behind a server's TLS handler and reports handshakes that fail: a client offering only refused cipher
/// suites, one without the certificate a mutual-TLS listener requires, one trusting another CA. The error goes on
/// down the pipeline unchanged; this only counts it and logs the peer, which BoringSSL's error does not name. A flood
/// of failing handshakes is one line per interval with a count (`RepeatedEventLog`), not one per connection.
final class TLSHandshakeObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let events: RepeatedEventLog
    private let failures: Counter
    private var completed = false

    init(events: RepeatedEventLog, failures: Counter) {
        self.events = events
        self.failures = failures
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { completed = true }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !completed {
            completed = true  // one failure per connection, however many errors follow
            failures.increment()
            events.log("handshake-failed", level: .notice, "TLS handshake failed", metadata: [
                "peer": "\(SocketAddress.describe(context.channel.remoteAddress))", "error": "\(error)",
            ])
        }
        context.fireErrorCaught(error)
    }
}
