import COSEM
import Foundation
import Logging
import HTTPTypes
import HummingbirdCore
import Transport

/// The head-end's local control endpoint, what `headend request` talks to: `POST /requests` with
/// `{"gateway": HEX, "obis": "1.0.1.8.1.255", "attribute": 2, "class": 3}` sends a signed request down that gateway's
/// uplink and answers with the outcome as JSON (`RequestOutcome.json`), verified or not. The request is signed by
/// the daemon, whose key is on its token; the command line never needs the PIN.
///
/// Only the operator may command gateways, so the endpoint is a Unix domain socket whose group and mode say who may
/// connect (`ControlSocket`), and on top of that it refuses what a browser sends (`BrowserRequestCheck`: a web
/// page must not reach it through a loopback listener), limits each user (`ControlRateLimit`), and writes one audit
/// line per request naming the caller as the kernel does (uid, gid, pid), the gateway, the object and the outcome.
public struct ControlEndpoint: Sendable {
    let requester: HeadEndRequester
    let rateLimit: ControlRateLimit
    let logger: Logger

    public init(requester: HeadEndRequester, rateLimit: ControlRateLimit, logger: Logger) {
        self.requester = requester
        self.rateLimit = rateLimit
        self.logger = logger
    }

    public func handle(_ request: Request, _ context: HTTPRequestContext) async -> Response {
        let body = try? JSONSerialization.jsonObject(with: Data(context.body)) as? [String: Any]
        let gatewayText = body?["gateway"] as? String
        let obisText = body?["obis"] as? String
        func refuse(_ status: HTTPResponse.Status, _ reason: String) -> Response {
            audit(context, gateway: gatewayText, obis: obisText, outcome: "refused \(status.code): \(reason)")
            return .text(status, reason)
        }

        if let reason = BrowserRequestCheck.refusal(request.headers) { return refuse(.forbidden, reason) }
        guard rateLimit.admit(context.peer?.uid ?? ControlRateLimit.tcpCallers) else {
            return refuse(.tooManyRequests, "more than \(Self.rate(rateLimit.perSecond)) requests a second from this user; wait and ask again")
        }
        guard request.uri.path == "/requests" else { return refuse(.notFound, "no such endpoint: POST /requests") }
        guard request.method == .post else { return refuse(.methodNotAllowed, "POST a request: {\"gateway\": HEX, \"obis\": CODE}") }
        guard let body, let gatewayText, let obisText else {
            return refuse(.badRequest, "the body must be JSON with gateway (16 hex digits) and obis (e.g. 1.0.1.8.1.255)")
        }
        guard let gateway = try? SystemTitle(hex: gatewayText) else { return refuse(.badRequest, "gateway \(gatewayText) is not a system title") }
        guard let obis = try? OBISCode(obisText) else { return refuse(.badRequest, "obis \(obisText) is not an OBIS code") }
        let attribute = (body["attribute"] as? Int).flatMap { Int8(exactly: $0) } ?? 2
        let classID = (body["class"] as? Int).flatMap { UInt16(exactly: $0) } ?? 3
        let outcome = await requester.request(AttributeDescriptor(classID: classID, instance: obis, attribute: attribute), from: gateway)
        audit(context, gateway: gatewayText, obis: obisText, outcome: "sent, \(outcome.label)")
        let json = (try? JSONSerialization.data(withJSONObject: outcome.json, options: [.sortedKeys])) ?? Data()
        return Response(status: .ok, contentType: "application/json", body: json)
    }

    /// One line per request, whatever became of it: who asked (the kernel's word for it on the socket), for which
    /// gateway and object, and the outcome. Values from the body are quoted printable and bounded.
    private func audit(_ context: HTTPRequestContext, gateway: String?, obis: String?, outcome: String) {
        let caller = context.peer.map { "\($0)" } ?? "a TCP client (no credentials)"
        func quoted(_ text: String?) -> String { text.map { PrintableText.line(String($0.prefix(40))) } ?? "-" }
        logger.notice("control request from \(caller): gateway \(quoted(gateway)) obis \(quoted(obis)): \(outcome)")
    }

    private static func rate(_ perSecond: Double) -> String {
        perSecond == perSecond.rounded() ? String(Int(perSecond)) : String(perSecond)
    }
}
