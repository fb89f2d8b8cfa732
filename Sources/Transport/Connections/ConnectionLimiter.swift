import NIOCore

/// On a listener's server channel: stops accepting while the listener is full of connections being answered, and
/// accepts again as soon as one is done. Accepting is NIO's `read` on a server channel, so turning `autoRead` off
/// withdraws the listening socket from epoll and newcomers wait in the kernel's accept queue (back-pressure) instead
/// of taking descriptors the listener cannot serve.
///
/// The limit itself, and closing the oldest waiting connection for room, is `ConnectionRegistry`'s; this handler
/// follows its `accepts`. A connection accepted in the instant between the registry filling up and `autoRead` going
/// off is closed at once by the registry.
public final class ConnectionLimiter: ChannelOutboundHandler, RemovableChannelHandler {
    public typealias OutboundIn = Never

    private let registry: ConnectionRegistry
    private var context: ChannelHandlerContext?
    /// A read (an accept) was held back: it is issued when the registry has room again.
    private var heldRead = false

    public init(registry: ConnectionRegistry) {
        self.registry = registry
    }

    /// Puts a limiter first on `listener`, a Hummingbird server's channel once it listens. Hummingbird's own accept
    /// gate (`AvailableConnectionsDelegate`) asks only before the next accept, so an accept already armed when the
    /// last waiting connection turned busy took one newcomer more, to be closed at once; the limiter withdraws the
    /// armed accept as well (HTTPServerLimitTests).
    public static func install(on listener: any Channel, registry: ConnectionRegistry) async throws {
        try await listener.eventLoop.submit {
            try listener.pipeline.syncOperations.addHandler(ConnectionLimiter(registry: registry), position: .first)
        }.get()
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        registry.onChange { [eventLoop = context.eventLoop] in
            eventLoop.execute { bound.value.follow() }
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    public func read(context: ChannelHandlerContext) {
        if registry.accepts { context.read() } else { heldRead = true }
    }

    /// Runs on the server channel's loop after every change, in order, and reads the registry's state as it is
    /// now: two changes from two loops cannot leave accepting in the older one's state.
    private func follow() {
        guard let context, context.channel.isActive else { return }
        let accepts = registry.accepts
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: accepts)
        if accepts, heldRead {
            heldRead = false
            context.read()
        }
    }
}
