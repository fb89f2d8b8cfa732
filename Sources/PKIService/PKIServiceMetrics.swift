import Foundation
import Logging
import Metrics
import HTTPTypes
import HummingbirdCore
import Transport

/// What pkid counts and logs beyond the HTTP server's requests and handshakes: enrollments, issued or refused.
///
/// Routes are the endpoints' shapes, never the paths themselves: a path holds a serial or a whole OCSP request,
/// and a metric label per path would grow without bound with every lookup a head-end makes.
public enum PKIServiceMetrics {
    static let estOperations: Set<String> = ["cacerts", "simpleenroll", "simplereenroll"]

    /// `http_requests_total`'s route for pkid's endpoints (an `HTTPServer.Router`): `/certificates/{serial}`,
    /// `/.well-known/est/{label}/simpleenroll`, `/ocsp`, ...; `other` for a path pkid does not serve.
    public static func route(of path: String) -> String {
        let segments = path.split(separator: "/").map(String.init)
        switch segments.count {
        case 1 where ["ca", "crl", "certificates", "ocsp"].contains(segments[0]):
            return "/" + segments[0]
        case 2 where segments[0] == "certificates":
            return "/certificates/{serial}"
        case 3 where segments[0] == ".well-known" && segments[1] == "est" && estOperations.contains(segments[2]):
            return "/.well-known/est/" + segments[2]
        case 4 where segments[0] == ".well-known" && segments[1] == "est" && estOperations.contains(segments[3]):
            return "/.well-known/est/{label}/" + segments[3]
        case 2... where segments[0] == "ocsp":
            return "/ocsp"
        default:
            return "other"
        }
    }

    /// Counts an enrollment's outcome in `pkid_enrollments_total{operation, result}` and logs it. A refusal is
    /// logged with pkid's own one-line reason, which names no secret, as the answer's body is written; the request's
    /// body and headers never are.
    public static func recordEnrollment(_ request: Request, _ response: Response, logger: Logger) -> Response {
        guard request.method == .post, let operation = request.uri.path.split(separator: "/").last.map(String.init),
              operation == "simpleenroll" || operation == "simplereenroll" else { return response }
        let issued = response.status == .ok
        Counter(label: "pkid_enrollments_total", dimensions: [("operation", operation), ("result", issued ? "issued" : "refused")]).increment()
        guard !issued else {
            logger.info("\(operation): certificate issued")
            return response
        }
        var refused = response
        refused.body = response.body.map { [status = response.status.code] text in
            let reason = String(buffer: text).trimmingCharacters(in: .whitespacesAndNewlines)
            logger.notice("\(operation) refused (\(status)): \(reason)")
            return text
        }
        return refused
    }
}
