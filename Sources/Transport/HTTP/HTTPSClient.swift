import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One AsyncHTTPClient for one purpose (EST, the directory, CRLs, OCSP, the head-end's control socket), with the
/// project's two timeouts, a bound on answers, and the typed `HTTPClientError` users read. TLS settings travel with
/// each request, so EST re-enrollment presents the current certificate, its key on the token (`SignerTLSKey`).
///
/// The owner calls `shutdown()` when done. One dropped without it (a test that failed halfway) is shut down on
/// deinit, not left to AsyncHTTPClient's debug trap, which would take the whole test process down.
///
/// Each request has a connection of its own, closed after the answer (`Connection: close`): pkid answers one request
/// per connection, and a pooled connection its server closed while idle would fail the next request. A refused
/// connection fails at once, not retried until the connect timeout: callers have their own retry rules, and a user
/// running `gatewayctl enroll` wants "Connection refused", not a timeout.
public final class HTTPSClient: Sendable {
    public struct Response: Sendable {
        public var status: HTTPResponseStatus
        public var headers: HTTPHeaders
        public var body: [UInt8]
    }

    /// How long a request may wait. The connect timeout covers the TCP connection and the TLS handshake; the read
    /// timeout is the longest silence after the request went out, not a bound on the whole answer: a large CRL that
    /// keeps arriving is not cut off.
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

    /// A certificate, an OCSP answer or a control outcome is a few kilobytes; the CRL client takes more (`CRLCache`).
    public static let defaultMaximumAnswerSize = 256 * 1024

    public let timeouts: Timeouts
    /// Past this many bytes an answer is refused (`answerTooLarge`): a hostile server cannot make the client buffer
    /// without limit.
    public let maximumAnswerSize: Int
    private let client: HTTPClient

    public init(timeouts: Timeouts = Timeouts(), maximumAnswerSize: Int = defaultMaximumAnswerSize) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: TimeAmount(timeouts.connect), read: TimeAmount(timeouts.read))
        )
        configuration.httpVersion = .http1Only
        configuration.connectionPool.retryConnectionEstablishment = false
        self.timeouts = timeouts
        self.maximumAnswerSize = maximumAnswerSize
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    deinit {
        client.shutdown { _ in }
    }

    /// Closes the client's connections. A second call does nothing: on a shared event-loop group and without a
    /// clean close asked for, AsyncHTTPClient's one failure here is "already shut down".
    public func shutdown() async {
        do {
            try await client.shutdown()
        } catch {
            assert(error as? AsyncHTTPClient.HTTPClientError == .alreadyShutdown, "\(error)")
        }
    }

    /// `path` on `server`, over TLS when `tls` is given, else plain HTTP.
    public func request(
        _ method: HTTPMethod, _ path: String, at server: HostAndPort, tls: TLSConfiguration? = nil,
        headers: [(String, String)] = [], body: [UInt8] = []
    ) async throws(HTTPClientError) -> Response {
        let url = "\(tls == nil ? "http" : "https")://\(server)\(path)"
        return try await send(method, url, tls: tls, headers: headers, body: body, host: server.host, port: server.port)
    }

    /// `path` in plain HTTP over the Unix domain socket at `socket`; errors name the socket as the host.
    public func request(
        _ method: HTTPMethod, _ path: String, atSocket socket: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) async throws(HTTPClientError) -> Response {
        let url = URL(httpURLWithSocketPath: socket, uri: path)?.absoluteString ?? socket
        return try await send(method, url, tls: nil, headers: headers, body: body, host: socket, port: 0)
    }

    private func send(
        _ method: HTTPMethod, _ url: String, tls: TLSConfiguration?, headers: [(String, String)], body: [UInt8], host: String, port: Int
    ) async throws(HTTPClientError) -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.tlsConfiguration = tls
        request.headers.add(contentsOf: headers + [("Connection", "close")])
        if method == .POST || !body.isEmpty { request.body = .bytes(body) }
        do {
            let response = try await client.execute(request, deadline: .distantFuture)
            let answer = try await response.body.collect(upTo: maximumAnswerSize)
            return Response(status: response.status, headers: response.headers, body: Array(answer.readableBytesView))
        } catch {
            throw classify(error, host: host, port: port)
        }
    }

    /// AsyncHTTPClient's, NIO's and BoringSSL's errors as the one typed error callers branch on and users read.
    private func classify(_ error: any Error, host: String, port: Int) -> HTTPClientError {
        switch error {
        // The request's wait for a connection and the connection's own attempt share the connect timeout.
        case let error as AsyncHTTPClient.HTTPClientError where [.connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout].contains(error):
            .connectTimeout(host: host, port: port, after: timeouts.connect)
        case let error as AsyncHTTPClient.HTTPClientError where error == .readTimeout:
            .readTimeout(host: host, port: port, after: timeouts.read)
        case let error as AsyncHTTPClient.HTTPClientError where error == .remoteConnectionClosed:
            .closedEarly(host: host, port: port)
        case is NIOTooManyBytesError:
            .answerTooLarge(host: host, port: port, limit: maximumAnswerSize)
        case let error as NIOConnectionError:
            .connectionFailed(host: host, port: port, reason: error.connectionErrors.first.map { HTTPServerError.reason($0.error) } ?? "\(error)")
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            .tlsFailed(host: host, port: port, reason: "\(error)")
        default:
            .connectionFailed(host: host, port: port, reason: HTTPServerError.reason(error))
        }
    }
}
