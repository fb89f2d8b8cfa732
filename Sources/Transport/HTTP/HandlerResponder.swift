import HTTPTypes
import HummingbirdCore
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import NIOSSL
import X509

/// Hummingbird's responder for an `HTTPServer.Handler`: collects the body (413 past `maximumBodySize`, declared or
/// received), hands the request with its TLS client certificate and its Unix-socket caller to the handler, writes the
/// answer, logs one line and counts it (`http_requests_total{listener, route, status}`).
struct HandlerResponder: Sendable {
    let listener: String
    let router: HTTPServer.Router
    let handler: HTTPServer.Handler
    let logger: Logger

    func respond(to request: Request, writer: consuming ResponseWriter, channel: any Channel) async throws {
        var message = HTTPRequestMessage(
            method: HTTPMethod(rawValue: request.method.rawValue), uri: request.head.path ?? "/",
            headers: HTTPHeaders(request.headers.map { ($0.name.rawName, $0.value) }), body: [], clientCertificate: nil
        )
        let response: HTTPResponseMessage
        let tooLarge = HTTPResponseMessage.text(.payloadTooLarge, "request body over \(HTTPServerLimits.maximumBodySize) bytes")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > HTTPServerLimits.maximumBodySize {
            response = tooLarge
        } else {
            do {
                message.body = Array(try await request.body.collect(upTo: HTTPServerLimits.maximumBodySize).readableBytesView)
                message.clientCertificate = try? await channel.nioSSL_peerCertificate().get().map { try Certificate(derEncoded: $0.toDERBytes()) }
                message.peer = await PeerCredentials.of(channel)
                response = await handler(message)
            } catch is NIOTooManyBytesError {
                response = tooLarge
            }
        }
        logger.info("\(message.method) \(message.path) \(response.status.code)", metadata: ["peer": "\(HTTPServer.describe(channel.remoteAddress))"])
        Counter(label: "http_requests_total", dimensions: [
            ("listener", listener), ("route", router(message)), ("status", String(response.status.code)),
        ]).increment()
        try await writer.write(response: response.head, body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
    }
}

extension HTTPResponseMessage {
    /// The answer's head as Hummingbird writes it, saying `Connection: close` (one request per connection).
    var head: HTTPResponse {
        var fields = HTTPFields(headers.compactMap { name, value in HTTPField.Name(name).map { HTTPField(name: $0, value: value) } })
        fields[.connection] = "close"
        return HTTPResponse(status: .init(code: Int(status.code), reasonPhrase: status.reasonPhrase), headerFields: fields)
    }
}
