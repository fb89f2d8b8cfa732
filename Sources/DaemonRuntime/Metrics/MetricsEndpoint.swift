import Logging
import HTTPTypes
import HummingbirdCore
import Prometheus
import Transport

/// `GET /metrics` in Prometheus text format, over plain HTTP on its own address: a scraper needs no client
/// certificate, and the numbers it reads (request counts, handshake failures) hold no secret. Bind it to loopback
/// or a management network.
public enum MetricsEndpoint {
    /// Prometheus's text exposition format, version 0.0.4.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Binds the endpoint, with the same connection limits as the daemon's other listeners; run it as a service.
    public static func listen(
        at address: ListenAddress, registry: PrometheusCollectorRegistry, limits: HTTPServerLimits = HTTPServerLimits(), logger: Logger
    ) async throws(HTTPServerError) -> HTTPServer {
        try await HTTPServer(name: "metrics", at: .tcp(host: address.host, port: address.port), tls: nil, limits: limits, logger: logger,
                             handler: handler(registry: registry))
    }

    /// The endpoint's answers: the registry's text for `GET /metrics`, 404 naming the path for anything else.
    public static func handler(registry: PrometheusCollectorRegistry) -> HTTPServer.Handler {
        { request, _ in
            guard request.method == .get, request.uri.path == "/metrics" else {
                return .text(.notFound, "no such endpoint: \(request.method) \(request.uri.path); metrics are at GET /metrics")
            }
            return Response(status: .ok, contentType: contentType, body: registry.emitToBuffer())
        }
    }
}
