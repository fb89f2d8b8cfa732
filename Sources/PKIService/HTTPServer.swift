import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SwiftASN1
import X509

/// A small HTTP/1.1 server on SwiftNIO, with or without TLS, that hands each complete request to an async handler.
/// Handlers run as tasks, never on the event loop, so a CA key on a slow token cannot stall other connections.
public final class HTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPRequestMessage) async -> HTTPResponseMessage

    /// Requests larger than this are refused (a CSR is a few hundred bytes).
    static let maximumBodySize = 64 * 1024

    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel

    /// The port the server listens on (useful with port 0).
    public var port: Int { channel.localAddress?.port ?? 0 }

    public init(host: String, port: Int, tls: TLSConfiguration?, handler: @escaping Handler) async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let context = try tls.map { try NIOSSLContext(configuration: $0) }
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let context { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(RequestHandler(handler: handler))
                    }
                }
                .bind(host: host, port: port)
                .get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    public func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    /// Waits until the server stops.
    public func wait() async {
        try? await channel.closeFuture.get()
    }
}

/// Collects one request, runs the handler off the event loop, writes the answer, and closes the connection
/// (one request per connection keeps the server simple; EST clients reconnect anyway).
private final class RequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let handler: HTTPServer.Handler
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(handler: @escaping HTTPServer.Handler) {
        self.handler = handler
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
            if tooLarge {
                respond(context: context, .text(.payloadTooLarge, "request body over \(HTTPServer.maximumBodySize) bytes"))
                return
            }
            let request = HTTPRequestMessage(
                method: head.method, uri: head.uri, headers: head.headers, body: body,
                clientCertificate: Self.peerCertificate(context.channel)
            )
            let handler = self.handler
            let promise = context.eventLoop.makePromise(of: HTTPResponseMessage.self)
            promise.completeWithTask { await handler(request) }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            promise.futureResult.whenSuccess { response in
                bound.value.0.respond(context: bound.value.1, response)
            }
        }
    }

    private func respond(context: ChannelHandlerContext, _ response: HTTPResponseMessage) {
        var headers = response.headers
        headers.replaceOrAdd(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }

    /// The client certificate of a TLS connection, as swift-certificates parses it.
    private static func peerCertificate(_ channel: Channel) -> Certificate? {
        guard let ssl = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
              let peer = ssl.peerCertificate,
              let der = try? peer.toDERBytes() else { return nil }
        return try? Certificate(derEncoded: der)
    }
}
