import NIOHTTP1
import X509

/// Sends OCSP requests over plain HTTP (RFC 6960 Appendix A.1), as certificates' AIA URLs name them, for the
/// validation library's OCSP mode.
///
/// swift-certificates accepts a certificate whenever the requester reports a non-terminal error, so failing
/// closed is decided here: with `failClosed` (the default) an unreachable responder is a terminal error and the
/// certificate is not trusted.
///
/// It owns one HTTP client for every responder it asks; `shutdown()` when done.
public struct HTTPOCSPRequester: OCSPRequester {
    public let failClosed: Bool
    let http: HTTPSClient

    public init(failClosed: Bool = true, timeouts: HTTPSClient.Timeouts = .init()) {
        self.failClosed = failClosed
        self.http = HTTPSClient(timeouts: timeouts)
    }

    public func shutdown() async {
        await http.shutdown()
    }

    private func unreachable(_ error: Error) -> OCSPRequesterQueryResult {
        failClosed ? .terminalError(OCSPUnavailable(reason: "\(error)")) : .nonTerminalError(error)
    }

    public func query(request: [UInt8], uri: String) async -> OCSPRequesterQueryResult {
        guard let parsed = ServiceURL(parsing: uri), !parsed.secure else { return .terminalError(ESTError.invalidURL(uri)) }
        do {
            let response = try await http.request(.POST, parsed.path, at: parsed.endpoint,
                                                  headers: [("Content-Type", "application/ocsp-request")], body: request)
            guard response.status == .ok else { return unreachable(ESTError.refused(status: Int(response.status.code), message: "OCSP")) }
            return .response(response.body)
        } catch {
            return unreachable(error)
        }
    }
}

/// The OCSP responder could not be asked; printed as the reason a certificate is not trusted.
public struct OCSPUnavailable: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "no OCSP answer (\(reason)); check that the responder in the certificate's AIA is reachable" }
}
