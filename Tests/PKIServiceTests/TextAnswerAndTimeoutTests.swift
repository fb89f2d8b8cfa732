import DaemonRuntime
import Foundation
import HTTPTypes
import HummingbirdCore
import Testing
import Transport

/// The small parsers behind the review's fixes: timeout settings as operators write them, the path decoding an OCSP
/// GET relies on (it keeps base64's `+`), and the one printable line every text answer is cut to.
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

    @Test("a path keeps + and decodes %2B and %2F; a bad escape is no path")
    func pathDecoding() {
        #expect("MEIw+QDA%2BMD%2Fw".removingPercentEncoding == "MEIw+QDA+MD/w")
        #expect("%zz".removingPercentEncoding == nil)
    }

    @Test("a text answer is one printable line of at most 300 characters, keeping its start and its end")
    func printable() {
        #expect(PrintableText.line("bad \u{1B}[31mred\r\nX-Injected: yes\u{202E}") == "bad \\u{1B}[31mred\\u{D}\\u{A}X-Injected: yes\\u{202E}")
        let long = PrintableText.line("invalid system title \"" + String(repeating: "Z", count: 60_000) + "\"; use 16 hex digits")
        #expect(long.count == PrintableText.maximumLength)
        #expect(long.hasPrefix("invalid system title \"ZZZ"))
        #expect(long.hasSuffix("ZZZ\"; use 16 hex digits"))
        #expect(long.contains("…"))
        let answer = Response.text(.badRequest, String(repeating: "é", count: 1_000))
        #expect(answer.body.contentLength.map { $0 < 1_000 } == true && answer.headers[.contentLength] == answer.body.contentLength.map(String.init))
    }
}
