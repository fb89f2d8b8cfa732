import Foundation
import Testing
import TestSupport

/// Clients that hold a connection without ever finishing a request: a slowloris that trickles the head a byte a
/// second (never idle, so an idle timeout alone does not cut it off), a TLS client that never says hello, a body
/// that trickles; and a request that is not HTTP at all.
@Suite("pkid cuts off slow and malformed clients")
struct PKIDSlowClientTests {
    /// A long idle timeout, so only the header and body timeouts can explain a close within seconds. The slow clients
    /// block on their sockets for seconds, off the cooperative pool (`offPool`), which the suites beside them need.
    static let options = ["--idle-timeout", "30s", "--header-timeout", "2s", "--body-timeout", "2s"]

    @Test("a head trickled a byte a second is cut off after the 2 s header timeout, though never idle")
    func slowHead() async throws {
        let pkid = try await PKIDProcess(extra: Self.options)
        let port = pkid.httpPort
        let cut = try await offPool { try LoopbackConnection(port: port).trickle("GET /ca HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slowloris\r\n\r\n", timeout: 8) }
        #expect(cut.map { $0 >= 1.5 && $0 < 4 } == true, "cut off after \(cut.map { "\($0) s" } ?? "never (8 s)")")
        let metrics = try await pkid.scrape()
        #expect(PKIDProcess.sample(metrics, "http_connections_dropped_total", ["listener": "http", "reason": "header_timeout"]) == 1, "\(metrics)")
    }

    @Test("a TLS client that never sends its ClientHello is cut off after the header timeout")
    func silentHandshake() async throws {
        let pkid = try await PKIDProcess(extra: Self.options)
        let port = pkid.httpsPort
        let (closed, seconds) = try await offPool {
            let client = try LoopbackConnection(port: port)
            let start = Date()
            return (client.read(timeout: 6).closed, Date().timeIntervalSince(start))
        }
        #expect(closed && seconds >= 1.5 && seconds < 4, "closed: \(closed) after \(seconds) s")
    }

    @Test("a body trickled a byte a second is cut off after the 2 s body timeout")
    func slowBody() async throws {
        let pkid = try await PKIDProcess(extra: Self.options)
        let port = pkid.httpPort
        let (sent, cut) = try await offPool {
            let client = try LoopbackConnection(port: port)
            let sent = client.send("POST /ocsp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/ocsp-request\r\nContent-Length: 100\r\n\r\n")
            return (sent, client.trickle(String(repeating: "0", count: 100), timeout: 8))
        }
        #expect(sent)
        #expect(cut.map { $0 >= 1.5 && $0 < 4 } == true, "cut off after \(cut.map { "\($0) s" } ?? "never (8 s)")")
    }

    /// The status line and headers of a raw HTTP answer, lower-cased.
    func head(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n\r\n")[0].lowercased()
    }

    @Test("a malformed request gets 400 with Connection: close, and the connection is closed at once")
    func malformed() async throws {
        let pkid = try await PKIDProcess()
        let client = try LoopbackConnection(port: pkid.httpPort)
        #expect(client.send("GET /ca HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon here\r\n\r\n"))
        let answer = client.read(timeout: 2)
        let text = head(answer.bytes)
        #expect(text.hasPrefix("http/1.1 400"), "\(text)")
        #expect(text.contains("\r\nconnection: close"), "\(text)")
        #expect(answer.closed, "the connection stayed open after the 400")

        // Over TLS too: openssl s_client keeps its side open (-ign_eof) and returns only when pkid closes.
        let tls = try await run("timeout", ["5", "openssl", "s_client", "-connect", "127.0.0.1:\(pkid.httpsPort)", "-quiet", "-ign_eof",
                                      "-CAfile", pkid.pki + "/ca.pem"], stdin: Data("NOT HTTP AT ALL\r\n\r\n".utf8))
        #expect(tls.status != 124, "the TLS connection stayed open after the 400")
        #expect(tls.output.hasPrefix("HTTP/1.1 400"), "\(tls.output)")
        #expect(tls.output.lowercased().contains("\r\nconnection: close"), "\(tls.output)")
    }

    @Test("a request head over the limit gets 431 with Connection: close and no echo, and the connection is closed")
    func oversizedHead() async throws {
        let pkid = try await PKIDProcess()
        let client = try LoopbackConnection(port: pkid.httpPort)
        let path = "/certificates/" + String(repeating: "Z", count: 60_000)
        client.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let answer = client.read(timeout: 2)
        let text = head(answer.bytes)
        #expect(text.hasPrefix("http/1.1 431"), "\(text.prefix(300))")
        #expect(text.contains("\r\nconnection: close"), "\(text.prefix(300))")
        #expect(answer.bytes.count < 1_000, "\(answer.bytes.count) bytes came back")
        #expect(answer.closed, "the connection stayed open after the 431")
    }
}
