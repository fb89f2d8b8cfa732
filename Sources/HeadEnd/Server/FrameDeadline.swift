import COSEM
import NIOCore
import Transport

/// Per connection, between TLS and the wrapper decoder: a frame must have arrived whole `timeout` after its first
/// byte, or the connection is closed.
///
/// The idle timeout alone let an authenticated client sending one byte every 5 s hold its connection (and a slot
/// of `max_connections`) for ever: it was never idle, and its frame never complete. Following the wrapper's
/// lengths here (8 header bytes, then the announced APDU) tells where each frame starts and ends without buffering
/// anything: the bytes go on to the decoder unchanged. A read that ends one frame and starts the next restarts the
/// deadline for the new one. Between frames only the idle timeout applies.
final class FrameDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    private let identity: ConnectionIdentity
    private let events: RepeatedEventLog
    /// The frame in progress: its header bytes so far (until all 8 are in), then the APDU bytes still to come.
    private var header: [UInt8] = []
    private var remaining = 0
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount, identity: ConnectionIdentity, events: RepeatedEventLog) {
        self.timeout = timeout
        self.identity = identity
        self.events = events
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        var bytes = buffer.readableBytesView[...]
        var completed = false
        while !bytes.isEmpty {
            if remaining > 0 {
                let taken = min(remaining, bytes.count)
                remaining -= taken
                bytes = bytes.dropFirst(taken)
                completed = completed || remaining == 0
                continue
            }
            let taken = min(WrapperHeader.size - header.count, bytes.count)
            header += bytes.prefix(taken)
            bytes = bytes.dropFirst(taken)
            if header.count == WrapperHeader.size {
                // The announced length; a wrong version or an oversized length is the decoder's to refuse.
                remaining = Int(header[6]) << 8 | Int(header[7])
                header = []
                completed = completed || remaining == 0
            }
        }
        if completed {
            deadline?.cancel()
            deadline = nil
        }
        if deadline == nil, !header.isEmpty || remaining > 0 {
            let timeout = self.timeout
            let events = self.events
            let gateway = identity.gateway.map { "\($0)" } ?? "?"
            deadline = context.eventLoop.scheduleTask(in: timeout) { [channel = context.channel] in
                events.log("frame-timeout", level: .notice, "closing the connection: a frame did not arrive whole within \(timeout) of its first byte",
                           metadata: ["peer": "\(SocketAddress.describe(channel.remoteAddress))", "gateway": "\(gateway)"])
                HeadEndMetrics.frameTimeouts.increment()
                channel.close(promise: nil)
            }
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }
}
