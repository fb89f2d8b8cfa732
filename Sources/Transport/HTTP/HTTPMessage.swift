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
    /// The caller as the kernel names it, on a Unix domain socket; nil over TCP.
    public var peer: PeerCredentials?

    public init(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8], clientCertificate: Certificate?,
                peer: PeerCredentials? = nil) {
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
        self.peer = peer
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
    ///
    /// Answers quote what the client sent (a path, a serial, a CSR's subject), and that must not let a client make
    /// pkid send back 60 KB of its own input, or control characters for a terminal or a log viewer to act on. So
    /// the line is `printable(_:)`: at most `maximumTextLength` characters, whatever went into it.
    public static func text(_ status: HTTPResponseStatus, _ message: String, headers: [(String, String)] = []) -> HTTPResponseMessage {
        HTTPResponseMessage(status: status, contentType: "text/plain; charset=utf-8", body: Array((printable(message) + "\n").utf8), headers: headers)
    }

    /// The longest text answer, in characters; no message of pkid's own comes near it.
    public static let maximumTextLength = 300

    /// `message` as one printable line: control and format characters (escape sequences, CR LF, bidi overrides) as
    /// `\u{1B}`, and, past `maximumTextLength`, the middle cut to `…`, keeping the start (what went wrong) and the end
    /// (usually what to do).
    public static func printable(_ message: String) -> String {
        var line = ""
        for scalar in message.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned:
                line += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default:
                line.unicodeScalars.append(scalar)
            }
        }
        guard line.count > maximumTextLength else { return line }
        let tail = maximumTextLength / 3
        return line.prefix(maximumTextLength - tail - 1) + "…" + line.suffix(tail)
    }
}

extension HTTPRequestMessage {
    /// Form-style percent-decoding (`+` is a space), as query strings use it; nil for a bad escape or bytes that
    /// are not UTF-8.
    public static func percentDecoded(_ text: String) -> String? {
        decoded(text, plusIsSpace: true)
    }

    /// Percent-decoding of a path (RFC 3986), where `+` is itself: an OCSP GET's path is the URL-encoded base64 of
    /// the request (RFC 6960 appendix A.1), and clients often send base64's `+` raw. Decoding it as a form would
    /// turn it into a space and the request into garbage.
    public static func pathDecoded(_ text: String) -> String? {
        decoded(text, plusIsSpace: false)
    }

    private static func decoded(_ text: String, plusIsSpace: Bool) -> String? {
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
                bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index = utf8.index(after: index)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
