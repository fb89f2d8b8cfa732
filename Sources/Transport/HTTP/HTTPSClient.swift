#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One HTTP(S) request on a fresh connection, on SwiftNIO: all the EST, directory and OCSP clients need, with the
/// TLS settings (trust roots, a client key on a token) under the caller's control; no TLS for plain-HTTP OCSP and
/// CRLs.
///
/// Every request is bounded twice: `Timeouts.connect` for the TCP connection, `Timeouts.read` for any silence
/// after it (the TLS handshake included), so a gateway never hangs on a server that accepted and went quiet.
public struct HTTPSClient: Sendable {
    public struct Response: Sendable {
        public var status: HTTPResponseStatus
        public var headers: HTTPHeaders
        public var body: [UInt8]
    }

    /// How long a request may wait. The read timeout is the longest silence allowed, not a bound on the whole
    /// answer: a large CRL that keeps arriving is not cut off.
    public struct Timeouts: Sendable, Equatable {
        public var connect: Duration
        public var read: Duration

        /// 5 s to connect, 15 s of silence: enough for a CA signing on a slow token, short enough for a gateway's
        /// retry loop.
        public init(connect: Duration = .seconds(5), read: Duration = .seconds(15)) {
            self.connect = connect
            self.read = read
        }
    }

    public let host: String
    public let port: Int
    public let tls: TLSConfiguration?
    public let timeouts: Timeouts
    /// A Unix domain socket to connect to instead of `host`:`port` (a local control endpoint).
    public let unixSocket: String?

    public init(host: String, port: Int, tls: TLSConfiguration?, timeouts: Timeouts = Timeouts()) {
        self.host = host
        self.port = port
        self.tls = tls
        self.timeouts = timeouts
        self.unixSocket = nil
    }

    /// Plain HTTP over the Unix domain socket at `path`; errors name the path as the host.
    public init(unixSocket path: String, timeouts: Timeouts = Timeouts()) {
        self.host = path
        self.port = 0
        self.tls = nil
        self.timeouts = timeouts
        self.unixSocket = path
    }

    public func request(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) async throws(HTTPClientError) -> Response {
        let group = MultiThreadedEventLoopGroup.singleton
        let context: NIOSSLContext?
        do {
            context = try tls.map { try NIOSSLContext(configuration: $0) }
        } catch {
            throw .tlsFailed(host: host, port: port, reason: "\(error)")
        }
        let (host, port, timeouts) = (self.host, self.port, self.timeouts)
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "Host", value: unixSocket == nil ? "\(HTTPClientError.address(host, port))" : "localhost")
        head.headers.add(name: "Content-Length", value: "\(body.count)")
        head.headers.add(name: "Connection", value: "close")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        let request = head
        let promise = group.next().makePromise(of: Response.self)
        let channel: any Channel
        do {
            let bootstrap = ClientBootstrap(group: group)
                .connectTimeout(TimeAmount(timeouts.connect))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        // First in the pipeline, so it sees raw bytes: a TLS handshake that stalls is silence too.
                        try pipeline.addHandler(IdleStateHandler(readTimeout: TimeAmount(timeouts.read)))
                        // An IP address is checked against the certificate's IP SANs; SNI only carries host names.
                        let serverName = host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
                        if let context {
                            try pipeline.addHandler(try NIOSSLClientHandler(context: context, serverHostname: serverName))
                        }
                        try pipeline.addHTTPClientHandlers()
                        try pipeline.addHandler(HTTPExchange(
                            head: request, body: body, promise: promise, host: host, port: port, readTimeout: timeouts.read
                        ))
                    }
                }
            channel = if let unixSocket {
                try await bootstrap.connect(unixDomainSocketPath: unixSocket).get()
            } else {
                try await bootstrap.connect(host: host, port: port).get()
            }
        } catch {
            let failure = Self.classify(error, host: host, port: port, timeouts: timeouts)
            promise.fail(failure)
            throw failure
        }
        defer { channel.close(promise: nil) }
        do {
            return try await promise.futureResult.get()
        } catch {
            throw Self.classify(error, host: host, port: port, timeouts: timeouts)
        }
    }

    /// NIO's and BoringSSL's errors as the one typed error callers branch on and users read.
    static func classify(_ error: any Error, host: String, port: Int, timeouts: Timeouts) -> HTTPClientError {
        switch error {
        case let error as HTTPClientError:
            return error
        case ChannelError.connectTimeout:
            return .connectTimeout(host: host, port: port, after: timeouts.connect)
        case let error as NIOConnectionError:
            if error.connectionErrors.isEmpty, error.dnsAAAAError == nil, error.dnsAError == nil {
                return .connectTimeout(host: host, port: port, after: timeouts.connect)
            }
            let codes = error.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }
            return .connectionFailed(host: host, port: port, reason: codes.first.map { String(cString: strerror($0)) } ?? "\(error)")
        case let error as IOError:
            return .connectionFailed(host: host, port: port, reason: String(cString: strerror(error.errnoCode)))
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            return .tlsFailed(host: host, port: port, reason: "\(error)")
        default:
            return .connectionFailed(host: host, port: port, reason: "\(error)")
        }
    }
}

/// One request and its answer, driven on the event loop: the request goes out as soon as the connection is up, and
/// the promise completes exactly once, with the response, the first error, a read timeout, or the connection
/// closing early.
///
/// Writing from here rather than from the caller's task matters: the read timeout runs from the connection's start,
/// and a caller whose task waits for a busy cooperative pool must not see the server blamed for its own delay.
private final class HTTPExchange: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private let request: HTTPRequestHead
    private let requestBody: [UInt8]
    private var sent = false
    private let promise: EventLoopPromise<HTTPSClient.Response>
    private let host: String
    private let port: Int
    private let readTimeout: Duration
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var done = false

    init(head: HTTPRequestHead, body: [UInt8], promise: EventLoopPromise<HTTPSClient.Response>, host: String, port: Int, readTimeout: Duration) {
        self.request = head
        self.requestBody = body
        self.promise = promise
        self.host = host
        self.port = port
        self.readTimeout = readTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { send(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        send(context)
        context.fireChannelActive()
    }

    /// The request, once; over TLS the handler below holds it until the handshake is done.
    private func send(_ context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: requestBody)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body(let buffer): body += buffer.readableBytesView
        case .end:
            if let head { finish(.success(.init(status: head.status, headers: head.headers, body: body))) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            finish(.failure(HTTPClientError.readTimeout(host: host, port: port, after: readTimeout)))
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(HTTPClientError.closedEarly(host: host, port: port)))
        context.fireChannelInactive()
    }

    private func finish(_ result: Result<HTTPSClient.Response, any Error>) {
        guard !done else { return }
        done = true
        promise.completeWith(result)
    }
}
