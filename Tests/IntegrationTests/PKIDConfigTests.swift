import Foundation
import Testing
import TestSupport

@Suite("pkid reads its configuration file")
struct PKIDConfigTests {
    @Test("a YAML file starts pkid; a missing setting is one line naming it")
    func configurationFile() async throws {
        let hsm = try SoftHSMFixture()
        let pin = try await hsm.createToken("ca")
        let pki = hsm.path("pki")
        #expect(try await hsm.gatewayctl(["ca", "init", "--pki", pki, "--key", "pkcs11:token=ca;object=root", "--subject", "CN=Config Root"], pin: pin).status == 0)
        #expect(try await hsm.gatewayctl(["token", "keygen", "pkcs11:token=ca;object=tls"], pin: pin).status == 0)
        let config = hsm.file("pkid.yaml", Data("""
            pki: \(pki)
            listen: 127.0.0.1:0
            tls_key: "pkcs11:token=ca;object=tls"
            validity: 1y
            """.utf8))
        let pkid = productsDirectory.appendingPathComponent("pkid").path
        let server = try await BackgroundProcess(pkid, ["--config", config], environment: hsm.environment.merging(["GATEWAY_PIN": pin]) { $1 })
        let port = try await server.waitForPort()
        let chain = try await run("curl", ["-s", "--cacert", pki + "/ca.pem", "https://127.0.0.1:\(port)/ca"])
        #expect(chain.output.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(await server.stop() == 0)
        #expect(server.stdoutLines.last == "pkid stopped by SIGTERM")

        let incomplete = hsm.file("incomplete.yaml", Data("pki: \(pki)\n".utf8))
        let refused = try await run(pkid, ["--config", incomplete], environment: hsm.environment)
        #expect(refused.status == 1)
        #expect(refused.stderr == "pkid: no TLS key: give --tls-key URI or tls_key: in the configuration\n")
    }

    @Test("metrics and log_level come from the file; a log level it does not know is one line naming the key")
    func observabilitySettings() async throws {
        let hsm = try SoftHSMFixture()
        let pin = try await hsm.createToken("ca")
        let pki = hsm.path("pki")
        #expect(try await hsm.gatewayctl(["ca", "init", "--pki", pki, "--key", "pkcs11:token=ca;object=root", "--subject", "CN=Config Root"], pin: pin).status == 0)
        #expect(try await hsm.gatewayctl(["token", "keygen", "pkcs11:token=ca;object=tls"], pin: pin).status == 0)
        func config(_ level: String) -> String {
            hsm.file("pkid-\(level).yaml", Data("""
                pki: \(pki)
                listen: 127.0.0.1:0
                metrics: 127.0.0.1:0
                log_level: \(level)
                tls_key: "pkcs11:token=ca;object=tls"
                """.utf8))
        }
        let pkid = productsDirectory.appendingPathComponent("pkid").path
        let environment = hsm.environment.merging(["GATEWAY_PIN": pin]) { $1 }
        let server = try await BackgroundProcess(pkid, ["--config", config("warning")], environment: environment)
        let port = try await server.waitForPort()
        let line = try await server.waitForLine(containing: "pkid metrics at http://127.0.0.1:")
        let metricsPort = line.components(separatedBy: "127.0.0.1:")[1].prefix { $0.isNumber }
        #expect(try await run("curl", ["-s", "--cacert", pki + "/ca.pem", "https://127.0.0.1:\(port)/ca"]).status == 0)
        let metrics = try await run("curl", ["-s", "http://127.0.0.1:\(metricsPort)/metrics"])
        #expect(metrics.output.contains("http_requests_total{listener=\"https\",route=\"/ca\",status=\"200\"} 1"), "\(metrics.output)")
        #expect(await server.stop() == 0)
        // At warning, a served request is not worth a line.
        #expect(!server.stderr.contains("GET /ca"), "\(server.stderr)")

        // The command line wins over the file.
        let verbose = try await BackgroundProcess(pkid, ["--config", config("warning"), "--log-level", "info"], environment: environment)
        let verbosePort = try await verbose.waitForPort()
        #expect(try await run("curl", ["-s", "--cacert", pki + "/ca.pem", "https://127.0.0.1:\(verbosePort)/ca"]).status == 0)
        #expect(await verbose.stop() == 0)
        #expect(verbose.stderr.contains("GET /ca 200"), "\(verbose.stderr)")

        let refused = try await run(pkid, ["--config", config("loud")], environment: environment)
        #expect(refused.status == 1)
        #expect(refused.stderr == "pkid: log_level \"loud\" is not a log level; use one of trace, debug, info, notice, warning, error, critical\n")
    }

    @Test("a misspelled key is one line naming it and the nearest known key; the shipped Config/pkid.yaml has none")
    func misspelledKey() async throws {
        let scratch = try ScratchDirectory("pkid-config")
        let config = scratch.path("pkid.yaml")
        try "pki: /nonexistent\nlisten: 127.0.0.1:0\nidle_timout: 30s\n".write(toFile: config, atomically: true, encoding: .utf8)
        let pkid = productsDirectory.appendingPathComponent("pkid").path
        let refused = try await run(pkid, ["--config", config])
        #expect(refused.status == 1)
        #expect(refused.stderr == "pkid: \(config) is not a usable pkid configuration: unknown key `idle_timout` (line 3); did you mean `idle_timeout`?\n",
                "\(refused.stderr)")

        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config/pkid.yaml").path
        // A listen address that cannot be used stops pkid right after the file is read, and names that option.
        let shipped = try await run(pkid, ["--config", example, "--listen", "nowhere"])
        #expect(shipped.status == 1)
        #expect(shipped.stderr.hasPrefix("pkid: listen \"nowhere\""), "\(shipped.stderr)")
    }
}
