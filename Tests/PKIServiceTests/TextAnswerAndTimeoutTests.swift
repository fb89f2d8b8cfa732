import DaemonRuntime
import Testing
import Transport

/// The small parsers behind the review's fixes: timeout settings as operators write them, a path's percent-decoding
/// that keeps base64's `+`, and the one printable line every text answer is cut to.
@Suite("Timeouts, path decoding and text answers")
struct TextAnswerAndTimeoutTests {
    @Test("timeouts read as 30s, 500ms, 2m or bare seconds; zero, negative, over a day or words are refused", arguments: [
        ("30s", Duration.seconds(30)), ("500ms", .milliseconds(500)), ("2m", .seconds(120)), ("30", .seconds(30)), ("1.5s", .milliseconds(1500)),
    ])
    func timeouts(text: String, duration: Duration) throws {
        #expect(try TimeoutSetting.parse(text, key: "idle_timeout") == duration)
    }

    @Test("unusable timeouts name the key", arguments: ["0s", "-1s", "fast", "", "2d", "86401"])
    func refusedTimeouts(text: String) {
        #expect(throws: DaemonSettingError.notATimeout(key: "header_timeout", value: text)) { try TimeoutSetting.parse(text, key: "header_timeout") }
    }

    @Test("a path keeps + and decodes %2B and %2F; a query turns + into a space")
    func pathDecoding() {
        #expect(HTTPRequestMessage.pathDecoded("MEIw+QDA%2BMD%2Fw") == "MEIw+QDA+MD/w")
        #expect(HTTPRequestMessage.percentDecoded("a+b%2Bc") == "a b+c")
        #expect(HTTPRequestMessage.pathDecoded("%zz") == nil)
    }

    @Test("a text answer is one printable line of at most 300 characters, keeping its start and its end")
    func printable() {
        #expect(HTTPResponseMessage.printable("bad \u{1B}[31mred\r\nX-Injected: yes\u{202E}") == "bad \\u{1B}[31mred\\u{D}\\u{A}X-Injected: yes\\u{202E}")
        let long = HTTPResponseMessage.printable("invalid system title \"" + String(repeating: "Z", count: 60_000) + "\"; use 16 hex digits")
        #expect(long.count == HTTPResponseMessage.maximumTextLength)
        #expect(long.hasPrefix("invalid system title \"ZZZ"))
        #expect(long.hasSuffix("ZZZ\"; use 16 hex digits"))
        #expect(long.contains("…"))
        let body = HTTPResponseMessage.text(.badRequest, String(repeating: "é", count: 1_000)).body
        #expect(body.count < 1_000 && body.last == UInt8(ascii: "\n"))
    }
}
