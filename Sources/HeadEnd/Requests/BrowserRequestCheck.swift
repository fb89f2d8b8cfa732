import Foundation
import HTTPTypes
import HummingbirdCore

/// Why a request to the control endpoint looks like a browser's, and is refused.
///
/// A web page the operator happens to open can make the browser send requests to loopback addresses; a "simple"
/// cross-site POST (`Content-Type: text/plain`) goes out without asking the server first. `headend request` never
/// sends an Origin or a Sec-Fetch-* header and always sends `application/json`, so anything else is not it.
public enum BrowserRequestCheck {
    /// The reason to refuse `headers`, one line; nil for a request `headend request` could have sent.
    public static func refusal(_ headers: HTTPFields) -> String? {
        if let origin = headers[.origin] {
            return "an Origin header (\(origin)) marks a browser's request; only headend request may use this endpoint"
        }
        if let fetch = headers.first(where: { $0.name.canonicalName.hasPrefix("sec-fetch-") }) {
            return "a \(fetch.name) header marks a browser's request; only headend request may use this endpoint"
        }
        guard let type = headers[.contentType] else {
            return "no Content-Type; send application/json"
        }
        let mediaType = type.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard mediaType == "application/json" else {
            return "Content-Type \(type) is not application/json (a browser sends text/plain across sites without asking)"
        }
        return nil
    }
}
