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

    /// A text answer's body: the message as one `PrintableText.line`, whatever the client put into it.
    static func textLine(_ message: String) -> ByteBuffer {
        ByteBuffer(string: PrintableText.line(message) + "\n")
    }
}
