import COSEM

/// The xDLMS service a signed request or response carries: get-request-normal from a requester (the head-end),
/// get-response-normal from the gateway. `SignedExchange` is the same general-signing frame around either.
public protocol ExchangeBody: Sendable, Hashable {
    /// "request" or "response", as errors and reports name the frame.
    static var role: String { get }
    var encoded: [UInt8] { get }
    init(decoding bytes: [UInt8], limits: DecodingLimits) throws(COSEMError)
}

extension GetRequestNormal: ExchangeBody {
    public static var role: String { "request" }
}

extension GetResponseNormal: ExchangeBody {
    public static var role: String { "response" }
}

/// A head-end's signed get-request to a gateway.
public typealias SignedRequest = SignedExchange<GetRequestNormal>
/// A gateway's signed get-response, echoing the request's transaction id.
public typealias SignedResponse = SignedExchange<GetResponseNormal>
