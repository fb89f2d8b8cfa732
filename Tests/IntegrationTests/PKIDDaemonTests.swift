#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TestSupport

/// pkid as a long-running process: Prometheus metrics, logs on standard error without secrets, TLS 1.2 limited
/// to ECDHE with AEAD, and a prompt, clean exit on SIGTERM.
@Suite("pkid as a daemon: metrics, logs, TLS policy, shutdown")
struct PKIDDaemonTests {
    @Test("GET /metrics answers Prometheus text whose request counter grows with each request")
    func metricsCountRequests() async throws {
        let pkid = try await PKIDProcess()
        let route = ["listener": "https", "route": "/ca", "status": "200"]
        let before = try await pkid.scrape()
        #expect(PKIDProcess.sample(before, "http_requests_total", route) == 0)
        #expect(try await pkid.curl(["\(pkid.httpsURL)/ca"]).code == 200)
        let once = try await pkid.scrape()
        #expect(once.contains("# TYPE http_requests_total counter"), "\(once)")
        #expect(PKIDProcess.sample(once, "http_requests_total", route) == 1, "\(once)")
        #expect(try await pkid.curl(["\(pkid.httpsURL)/ca"]).code == 200)
        #expect(try await pkid.curl(["\(pkid.httpURL)/certificates/0123456789ABCDEF"]).code == 404)
        let twice = try await pkid.scrape()
        #expect(PKIDProcess.sample(twice, "http_requests_total", route) == 2, "\(twice)")
        #expect(PKIDProcess.sample(twice, "http_requests_total", ["listener": "http", "route": "/certificates/{serial}", "status": "404"]) == 1,
                "\(twice)")
    }

    @Test("enrollments are counted issued or refused")
    func enrollmentMetrics() async throws {
        let pkid = try await PKIDProcess()
        let secret = try await pkid.register("00DB1234567890E1")
        let csr = try await pkid.csr("/CN=00DB1234567890E1")
        let url = "\(pkid.httpsURL)/.well-known/est/simpleenroll"
        let wrong = try await pkid.curl(["-u", "00DB1234567890E1:WRONG", "--data-binary", "@\(csr)", url])
        #expect(wrong.code == 401)
        let right = try await pkid.curl(["-u", "00DB1234567890E1:\(secret)", "--data-binary", "@\(csr)", url])
        #expect(right.code == 200)
        let text = try await pkid.scrape()
        #expect(PKIDProcess.sample(text, "pkid_enrollments_total", ["operation": "simpleenroll", "result": "refused"]) == 1, "\(text)")
        #expect(PKIDProcess.sample(text, "pkid_enrollments_total", ["operation": "simpleenroll", "result": "issued"]) == 1, "\(text)")
    }

    @Test("TLS 1.2 offers only ECDHE with AEAD: openssl s_client with AES128-SHA or an ECDHE CBC suite is refused and counted")
    func cipherSuites() async throws {
        let pkid = try await PKIDProcess()
        func handshake(_ arguments: [String]) async throws -> ProcessResult {
            try await pkid.hsm.openssl(["s_client", "-connect", "127.0.0.1:\(pkid.httpsPort)", "-CAfile", pkid.pki + "/ca.pem"] + arguments)
        }
        let rsa = try await handshake(["-tls1_2", "-cipher", "AES128-SHA"])
        #expect(rsa.status != 0)
        #expect(!rsa.output.contains("Cipher is AES128-SHA"), "\(rsa.output)")
        let cbc = try await handshake(["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"])
        #expect(cbc.status != 0)
        #expect(!cbc.output.contains("Cipher is ECDHE-ECDSA-AES128-SHA"), "\(cbc.output)")
        let gcm = try await handshake(["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"])
        #expect(gcm.status == 0, "\(gcm.stderr)")
        #expect(gcm.output.contains("Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"), "\(gcm.output)")
        let tls13 = try await handshake(["-tls1_3"])
        #expect(tls13.output.contains("TLSv1.3"), "\(tls13.output)")

        let text = try await pkid.scrape()
        #expect(PKIDProcess.sample(text, "tls_handshake_failures_total", ["listener": "https"]) == 2, "\(text)")
        await pkid.process.stop()
        #expect(pkid.process.stderr.contains("TLS handshake failed"), "\(pkid.process.stderr)")
    }

    @Test("with an RSA TLS key, where RSA key exchange and CBC could be chosen, TLS 1.2 still offers only ECDHE with AEAD")
    func cipherSuitesRSA() async throws {
        let pkid = try await PKIDProcess(tlsKeyType: "rsa-2048")
        func handshake(_ cipher: String) async throws -> ProcessResult {
            try await pkid.hsm.openssl(["s_client", "-connect", "127.0.0.1:\(pkid.httpsPort)", "-CAfile", pkid.pki + "/ca.pem", "-tls1_2", "-cipher", cipher])
        }
        // The positive control first: an ECDHE-RSA AEAD suite works with this key, so a refusal below is the policy's.
        let gcm = try await handshake("ECDHE-RSA-AES128-GCM-SHA256")
        #expect(gcm.output.contains("Cipher is ECDHE-RSA-AES128-GCM-SHA256"), "\(gcm.output) \(gcm.stderr)")
        for refused in ["AES128-SHA", "AES256-SHA", "AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA"] {
            let result = try await handshake(refused)
            #expect(result.status != 0, "\(refused) was accepted")
            #expect(!result.output.contains("Cipher is \(refused)"), "\(result.output)")
        }
    }

    @Test("SIGTERM closes every listener and pkid exits 0 within 4 s, even with a connection open")
    func sigterm() async throws {
        let pkid = try await PKIDProcess()
        #expect(try await pkid.curl(["\(pkid.httpsURL)/ca"]).code == 200)
        // A client that connected and says nothing: the shutdown must not wait for it.
        let idle = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(idle) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(pkid.httpsPort).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(idle, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)

        let start = Date()
        let status = await pkid.process.stop()
        let seconds = Date().timeIntervalSince(start)
        #expect(status == 0)
        #expect(!pkid.process.endedBySignal)
        #expect(seconds < 4, "took \(seconds) s")
        #expect(pkid.process.stdoutLines.last == "pkid stopped by SIGTERM")
        for port in [pkid.httpsPort, pkid.httpPort, pkid.metricsPort] {
            let probe = try await run("curl", ["-s", "-k", "--max-time", "2", "http://127.0.0.1:\(port)/"])
            #expect(probe.status == 7, "port \(port) still answers (curl exit \(probe.status))")
        }
    }

    @Test("each request is one log line on stderr with its peer; no PIN or enrollment secret appears in any output")
    func logsWithoutSecrets() async throws {
        let pin = "Pn" + randomDigits(10)
        let pkid = try await PKIDProcess(pin: pin, pinFile: true, extra: ["--log-level", "trace"])
        let secret = try await pkid.register("00DB1234567890E2")
        let csr = try await pkid.csr("/CN=00DB1234567890E2")
        let url = "\(pkid.httpsURL)/.well-known/est/simpleenroll"
        #expect(try await pkid.curl(["\(pkid.httpsURL)/ca"]).code == 200)
        #expect(try await pkid.curl(["-u", "00DB1234567890E2:\(secret)x", "--data-binary", "@\(csr)", url]).code == 401)
        #expect(try await pkid.curl(["-u", "00DB1234567890E2:\(secret)", "--data-binary", "@\(csr)", url]).code == 200)
        #expect(await pkid.process.stop() == 0)

        let stderr = pkid.process.stderr
        let lines = stderr.split(separator: "\n")
        #expect(lines.contains { $0.contains("GET /ca 200") && $0.contains("peer=127.0.0.1:") && $0.contains("listener=https") }, "\(stderr)")
        #expect(lines.contains { $0.contains("simpleenroll refused (401)") }, "\(stderr)")
        #expect(lines.contains { $0.contains("POST /.well-known/est/simpleenroll 200") }, "\(stderr)")
        let everything = stderr + pkid.process.stdoutLines.joined(separator: "\n")
        #expect(!everything.contains(pin))
        #expect(!everything.contains(secret))
        #expect(lines.count > 5)  // trace level really logged
    }
}
