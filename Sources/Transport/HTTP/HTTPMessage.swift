import NIOHTTP1
import X509

/// A request as the services see it: method, path, query, headers, body, and the TLS client certificate if the
/// peer presented one the server's trust roots accept.
///
/// Logs name the method and the path only: a query or a body may carry what a log must not (an enrollment secret
/// travels in the Authorization header, a CSR in the body).
public struct HTTPRequestMessage: Sendable {
    public var method: HTTPMethod
    public var path: String
    public var query: [String: String]
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var clientCertificate: Certificate?

    public init(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8], clientCertificate: Certificate?) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts.first ?? "/")
        var query: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                let name = String(kv[0])
                let value = kv.count > 1 ? String(kv[1]) : ""
                query[Self.percentDecoded(name) ?? name] = Self.percentDecoded(value) ?? value
            }
        }
        self.query = query
        self.headers = headers
        self.body = body
        self.clientCertificate = clientCertificate
    }
}

public struct HTTPResponseMessage: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPResponseStatus, contentType: String, body: [UInt8], headers extra: [(String, String)] = []) {
        self.status = status
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(body.count)")])
        for (name, value) in extra { headers.add(name: name, value: value) }
        self.headers = headers
        self.body = body
    }

    /// A one-line plain-text answer: what went wrong and what to do.
    public static func text(_ status: HTTPResponseStatus, _ message: String, headers: [(String, String)] = []) -> HTTPResponseMessage {
        HTTPResponseMessage(status: status, contentType: "text/plain; charset=utf-8", body: Array((message + "\n").utf8), headers: headers)
    }
}

extension HTTPRequestMessage {
    /// Form-style percent-decoding (`+` is a space), as query strings and OCSP GET paths use it; nil for a bad
    /// escape or bytes that are not UTF-8. Foundation's `removingPercentEncoding` keeps `+`, which would corrupt
    /// base64 in an OCSP GET.
    public static func percentDecoded(_ text: String) -> String? {
        let utf8 = text.utf8
        var bytes: [UInt8] = []
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let hexStart = utf8.index(after: index)
                guard let hexEnd = utf8.index(hexStart, offsetBy: 2, limitedBy: utf8.endIndex),
                      let value = UInt8(String(decoding: utf8[hexStart..<hexEnd], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
                index = hexEnd
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index = utf8.index(after: index)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
