import COSEM
import Foundation
import HeadEnd
import Metering
import PKI
import PKIService
import PKIStore
import SwiftASN1
import TestSupport
import Testing
import Transport
import X509

/// `headend --config FILE` as an operator runs it: keys on a SoftHSM token, pkid's directory and CRL over HTTP, a
/// gateway over mutual TLS, and the lines scripts wait for on standard output.
@Suite("headend: the daemon on SoftHSM keys")
struct HeadEndDaemonTests {
    @Test("it announces its port, prints a verified line per stored reading and a refused line per refusal, and stops on SIGTERM with 0")
    func daemon() async throws {
        let fixture = try await HeadEndFixture("headend-daemon")
        let service = PKIService(authority: fixture.authority, validity: try Validity("1y"))
        let pkid = try await HTTPServer(name: "http", at: .tcp(host: "127.0.0.1", port: 0), tls: nil, handler: service.handlePublic)
        defer { Task { await pkid.stop() } }

        let hsm = try SoftHSMFixture()
        let pin = try await hsm.createToken("headend")
        var certificates: [String: Certificate] = [:]
        for (object, profile) in [("ack", CertificateProfile.sign), ("tls", .tls)] {
            let uri = "pkcs11:token=headend;object=\(object)"
            let keygen = try await hsm.gatewayctl(["token", "keygen", uri], pin: pin)
            try #require(keygen.status == 0, "\(keygen.stderr)")
            let csrPath = hsm.path("\(object).csr")
            let csr = try await hsm.gatewayctl(["token", "csr", uri, "--subject", "CN=\(HeadEndFixture.headEndTitle)", "--out", csrPath], pin: pin)
            try #require(csr.status == 0, "\(csr.stderr)")
            let request = try CertificateSigningRequest(pemEncoded: try String(contentsOfFile: csrPath, encoding: .utf8))
            let certificate = try await fixture.authority.issue(
                request, profile: profile, validity: try Validity("1y"),
                alternativeNames: profile == .tls ? GeneralName.names(dns: ["localhost"], ip: [[127, 0, 0, 1]]) : nil
            )
            try certificate.serializeAsPEM().pemString.write(toFile: hsm.path("\(object).pem"), atomically: true, encoding: .utf8)
            certificates[object] = certificate
        }
        try fixture.authority.certificate.serializeAsPEM().pemString.write(toFile: hsm.path("ca.pem"), atomically: true, encoding: .utf8)
        let config = hsm.path("headend.yaml")
        try """
            listen: 127.0.0.1:0
            system_title: \(HeadEndFixture.headEndTitle)
            module: \(SoftHSMFixture.module)
            signing_key: "pkcs11:token=headend;object=ack"
            signing_certificate: \(hsm.path("ack.pem"))
            tls_key: "pkcs11:token=headend;object=tls"
            tls_certificate: \(hsm.path("tls.pem"))
            trust_anchors: \(hsm.path("ca.pem"))
            pki_url: http://127.0.0.1:\(pkid.port)
            store: \(fixture.storePath)
            log_level: debug
            metrics: 127.0.0.1:0
            """.write(toFile: config, atomically: true, encoding: .utf8)

        let headend = try await BackgroundProcess(HeadEndCommandTests.headendPath, ["--config", config],
                                            environment: hsm.environment.merging(["GATEWAY_PIN": pin]) { $1 })
        let port = try await headend.waitForPort(timeout: 30)
        #expect(headend.stdoutLines.first == "headend listening on 127.0.0.1:\(port)")

        let gateway = try await fixture.gateway("00DB1234567890D0")
        let other = try await fixture.gateway("00DB1234567890D1")
        let client = try await UplinkTestClient.connect(port: port, roots: [fixture.authority.certificate],
                                                        chain: [gateway.tlsCertificate], key: gateway.tlsKey)
        let answers = try await client.exchange([try await gateway.frame(1), try await gateway.frame(2), try await other.frame(1)])
        try #require(answers.count == 3)
        let accepted = try await fixture.verifyAcknowledgement(answers[0].apdu, to: gateway, sent: [1], headEnd: certificates["ack"])
        #expect(accepted.passed && accepted.acknowledgement?.outcome == .accepted, "\(accepted.checks.filter { !$0.passed })")

        let verified = try await headend.waitForLine(containing: "verified 00DB1234567890D0 #2 ")
        #expect(verified.range(of: #"^verified 00DB1234567890D0 #2 P=1234\.5 W U1=230\.3 V E\+=1234567\.5 Wh signature ok \(verify \d+\.\d ms\)$"#,
                               options: .regularExpression) != nil, "\(verified)")
        let refused = try await headend.waitForLine(containing: "refused 00DB1234567890D0 #1 originator: ")
        #expect(refused.contains("00DB1234567890D1"))

        // The counts an operator scrapes, from the same run.
        let metricsLine = try await headend.waitForLine(containing: "headend metrics at http://127.0.0.1:")
        let metricsPort = try #require(Int(metricsLine.split(separator: ":").last?.split(separator: "/").first ?? ""))
        let http = HTTPSClient()
        let response = try await http.request(.GET, "/metrics", at: HostAndPort(host: "127.0.0.1", port: metricsPort))
        await http.shutdown()
        let metrics = String(decoding: response.body, as: UTF8.self).split(separator: "\n")
        #expect(metrics.contains("headend_readings_stored_total 2"), "\(metrics)")
        #expect(metrics.contains { $0.hasPrefix("headend_refusals_total{") && $0.contains(#"reason="originator""#) && $0.hasSuffix(" 1") },
                "\(metrics)")
        #expect(metrics.contains { $0.hasPrefix("headend_verification_seconds_count") && $0.hasSuffix(" 3") }, "\(metrics)")
        #expect(metrics.contains { $0.hasPrefix("headend_connected_gateways") }, "\(metrics)")

        #expect(await headend.stop() == 0, "\(headend.stderr)")
        #expect(headend.stdoutLines.last == "headend stopped by SIGTERM")
        #expect(!headend.stderr.contains(pin), "a PIN never reaches a log line")

        let summary = try await run(HeadEndCommandTests.headendPath, ["summary", "--config", config])
        #expect(summary.output.contains("00DB1234567890D0 readings 2 highest #2 missing 0 refusals 1"), "\(summary.output) \(summary.stderr)")
    }
}
