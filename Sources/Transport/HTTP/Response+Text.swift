import HTTPTypes
import HummingbirdCore
import NIOCore

extension Response {
    /// An answer whose body is `body`, whole, with its type and length.
    public init(status: HTTPResponse.Status, contentType: String, body: some Sequence<UInt8>, headers: HTTPFields = [:]) {
        var fields: HTTPFields = [.contentType: contentType]
        fields.append(contentsOf: headers)
        self.init(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A one-line plain-text answer: what went wrong and what to do, as `textLine(_:)` makes it.
    public static func text(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> Response {
        Response(status: status, contentType: "text/plain; charset=utf-8", body: textLine(message).readableBytesView, headers: headers)
    }

    /// A text answer's body. Answers quote what the client sent (a path, a serial, a CSR's subject), and that must not
    /// let a client make pkid send back 60 KB of its own input, or control characters for a terminal or a log viewer
    /// to act on. So the line is `printable(_:)`: at most `maximumTextLength` characters, whatever went into it.
    static func textLine(_ message: String) -> ByteBuffer {
        ByteBuffer(string: printable(message) + "\n")
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
