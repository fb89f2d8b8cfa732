import COSEM
import Foundation
import Transport

/// The head-end's local control endpoint (loopback only), what `headend request` talks to: `POST /requests` with
/// `{"gateway": HEX, "obis": "1.0.1.8.1.255", "attribute": 2, "class": 3}` sends a signed request down that gateway's
/// uplink and answers with the outcome as JSON (`RequestOutcome.json`), verified or not. The request is signed by
/// the daemon, whose key is on its token; the command line never needs the PIN.
public enum ControlEndpoint {
    public static func handle(_ message: HTTPRequestMessage, requester: HeadEndRequester) async -> HTTPResponseMessage {
        guard message.path == "/requests" else { return .text(.notFound, "no such endpoint: POST /requests") }
        guard message.method == .POST else { return .text(.methodNotAllowed, "POST a request: {\"gateway\": HEX, \"obis\": CODE}") }
        guard let object = try? JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any],
              let gatewayText = object["gateway"] as? String, let obisText = object["obis"] as? String else {
            return .text(.badRequest, "the body must be JSON with gateway (16 hex digits) and obis (e.g. 1.0.1.8.1.255)")
        }
        guard let gateway = try? SystemTitle(hex: gatewayText) else { return .text(.badRequest, "gateway \(gatewayText) is not a system title") }
        guard let obis = try? OBISCode(obisText) else { return .text(.badRequest, "obis \(obisText) is not an OBIS code") }
        let attribute = (object["attribute"] as? Int).flatMap { Int8(exactly: $0) } ?? 2
        let classID = (object["class"] as? Int).flatMap { UInt16(exactly: $0) } ?? 3
        let outcome = await requester.request(AttributeDescriptor(classID: classID, instance: obis, attribute: attribute), from: gateway)
        let body = (try? JSONSerialization.data(withJSONObject: outcome.json, options: [.sortedKeys])) ?? Data()
        return HTTPResponseMessage(status: .ok, contentType: "application/json", body: Array(body))
    }
}
