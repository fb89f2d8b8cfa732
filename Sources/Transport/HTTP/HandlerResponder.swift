import HTTPTypes
import HummingbirdCore
import Logging
import Metrics
import NIOCore
import NIOSSL
import X509

/// Runs an `HTTPServer.Handler` for Hummingbird's channel: collects the body (413 past `maximumBodySize`, declared or
/// received), hands the request with its TLS client certificate and its Unix-socket caller to the handler, writes the
/// answer, logs one line and counts it (`http_requests_total{listener, route, status}`).
struct HandlerResponder: Sendable {
    let listener: String
    /// Whether the listener speaks TLS, so that a client certificate can be asked of the connection.
    let tls: Bool
    let router: HTTPServer.Router
    let handler: HTTPServer.Handler
    let logger: Logger

    func respond(to request: Request, writer: consuming ResponseWriter, channel: any Channel) async throws {
        var response: Response
        // Made only for a request it refuses, not for every request.
        func tooLarge() -> Response { .text(.contentTooLarge, "request body over \(HTTPServerLimits.maximumBodySize) bytes") }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > HTTPServerLimits.maximumBodySize {
            response = tooLarge()
        } else {
            do {
                let body = try await request.body.collect(upTo: HTTPServerLimits.maximumBodySize)
                // A certificate the handshake accepted but that does not parse is no identity, as none is.
                let certificate = tls ? try? await channel.nioSSL_peerCertificate().get().map { try Certificate(derEncoded: $0.toDERBytes()) } : nil
                let context = HTTPRequestContext(body: Array(body.readableBytesView), clientCertificate: certificate,
                                                 peer: await PeerCredentials.of(channel))
                response = await handler(request, context)
            } catch is NIOTooManyBytesError {
                response = tooLarge()
            }
        }
        logger.info("\(request.method) \(request.uri.path) \(response.status.code)", metadata: ["peer": "\(SocketAddress.describe(channel.remoteAddress))"])
        Counter(label: "http_requests_total", dimensions: [
            ("listener", listener), ("route", router(request.uri.path)), ("status", String(response.status.code)),
        ]).increment()
        // One request per connection.
        response.headers[.connection] = "close"
        try await writer.write(response: response.head, body: response.body)
    }
}
