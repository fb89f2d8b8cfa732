import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One HTTP(S) request on a fresh connection, on SwiftNIO: all the EST and OCSP clients need, with the TLS settings
/// (trust roots, a client key on a token) under the caller's control; no TLS for plain-HTTP OCSP and CRLs.
public struct HTTPSClient: Sendable {
    public struct Response: Sendable {
        public var status: HTTPResponseStatus
        public var headers: HTTPHeaders
        public var body: [UInt8]
    }

    public let host: String
    public let port: Int
    public let tls: TLSConfiguration?

    public init(host: String, port: Int, tls: TLSConfiguration?) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    public func request(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) async throws -> Response {
        let group = MultiThreadedEventLoopGroup.singleton
        let context = try tls.map { try NIOSSLContext(configuration: $0) }
        let host = self.host
        let promise = group.next().makePromise(of: Response.self)
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // An IP address is checked against the certificate's IP SANs; SNI only carries host names.
                    let serverName = host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise))
                }
            }
            .connect(host: host, port: port)
            .get()
        } catch {
            promise.fail(error)
            throw error
        }
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "Host", value: "\(host):\(port)")
        head.headers.add(name: "Content-Length", value: "\(body.count)")
        head.headers.add(name: "Connection", value: "close")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        channel.closeFuture.whenComplete { _ in promise.fail(ChannelError.eof) }
        defer { channel.close(promise: nil) }
        return try await promise.futureResult.get()
    }
}

private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<HTTPSClient.Response>
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []

    init(promise: EventLoopPromise<HTTPSClient.Response>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body(let buffer): body += buffer.readableBytesView
        case .end:
            if let head { promise.succeed(.init(status: head.status, headers: head.headers, body: body)) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
