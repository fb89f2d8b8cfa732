import Foundation
import Testing
import TestSupport

/// RFC 6960 appendix A.1: an OCSP GET carries the base64 DER request URL-encoded in the path, but clients often
/// send base64's `+` raw. Answers that quote the client's input quote a bounded, printable part of it.
@Suite("pkid's OCSP GET and what its refusals echo")
struct PKIDOCSPGetTests {
    /// An OpenSSL-made OCSP request for pkid's own certificate, base64, drawn again (each has a fresh nonce) until
    /// its base64 holds a `+` and a `/`.
    func requestWithPlus(_ pkid: PKIDProcess) async throws -> String {
        let serial = try await pkid.ownSerial()
        for attempt in 0..<200 {
            let path = pkid.hsm.path("ocsp-\(attempt).der")
            let made = try await pkid.hsm.openssl(["ocsp", "-issuer", pkid.pki + "/ca.pem", "-serial", "0x" + serial, "-reqout", path])
            try #require(made.status == 0, "\(made.stderr)")
            let base64 = try Data(contentsOf: URL(fileURLWithPath: path)).base64EncodedString()
            if base64.contains("+"), base64.contains("/") { return base64 }
        }
        throw TestSetupError("200 OpenSSL OCSP requests without a + and a / in their base64")
    }

    /// What `openssl ocsp` reads from pkid's answer to GET `path`.
    func ocspGet(_ pkid: PKIDProcess, _ path: String) async throws -> (code: Int, text: String) {
        let out = pkid.hsm.path("answer-\(UUID().uuidString.prefix(6)).der")
        let fetched = try await run("curl", ["-s", "-o", out, "-w", "%{http_code}", "\(pkid.httpURL)\(path)"])
        let printed = try await pkid.hsm.openssl(["ocsp", "-respin", out, "-resp_text", "-noverify"])
        return (Int(fetched.output) ?? 0, printed.output)
    }

    @Test("GET /ocsp/<base64> answers with the base64's + sent raw, as %2B, and with / as %2F")
    func plusInPath() async throws {
        let pkid = try await PKIDProcess()
        let base64 = try await requestWithPlus(pkid)
        let serial = try await pkid.ownSerial()
        let encodings = [
            ("raw", base64),
            ("%2B", base64.replacingOccurrences(of: "+", with: "%2B")),
            ("%2B and %2F", base64.replacingOccurrences(of: "+", with: "%2B").replacingOccurrences(of: "/", with: "%2F")),
            ("percent-encoded", base64.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""),
        ]
        for (name, path) in encodings {
            let answer = try await ocspGet(pkid, "/ocsp/" + path)
            #expect(answer.code == 200, "\(name): \(answer.code)")
            #expect(answer.text.contains("OCSP Response Status: successful"), "\(name) (\(path)): \(answer.text)")
            #expect(answer.text.contains("Cert Status: good"), "\(name) (\(path)): \(answer.text)")
            #expect(answer.text.uppercased().contains("SERIAL NUMBER: \(serial)"), "\(name): \(answer.text)")
        }
    }

    @Test("a refusal quotes a bounded part of the input and no control characters", arguments: [
        ("/certificates?system-title=" + String(repeating: "Z", count: 7_000), 400),
        ("/" + String(repeating: "Z", count: 7_000), 404),
        ("/certificates?system-title=" + String(repeating: "%1B%5B31m%0D%0AX-Injected:%20yes", count: 200), 400),
    ])
    func boundedEcho(path: String, status: Int) async throws {
        let pkid = try await PKIDProcess()
        let answer = try await pkid.curl(["\(pkid.httpURL)\(path)"])
        #expect(answer.code == status, "\(answer.body.prefix(300))")
        #expect(answer.body.count <= 301, "\(answer.body.count) characters: \(answer.body.prefix(300))")
        let controls = answer.body.unicodeScalars.filter { $0.properties.generalCategory == .control && $0 != "\n" }
        #expect(controls.isEmpty, "control characters \(controls.map { $0.value }) in \(answer.body.debugDescription)")
    }
}
