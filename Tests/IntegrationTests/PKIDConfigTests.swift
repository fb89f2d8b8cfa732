import Foundation
import Testing
import TestSupport

@Suite("pkid reads its configuration file")
struct PKIDConfigTests {
    @Test("a YAML file starts pkid; a missing setting is one line naming it")
    func configurationFile() throws {
        let hsm = try SoftHSMFixture()
        let pin = try hsm.createToken("ca")
        let pki = hsm.path("pki")
        #expect(try hsm.gatewayctl(["ca", "init", "--pki", pki, "--key", "pkcs11:token=ca;object=root", "--subject", "CN=Config Root"], pin: pin).status == 0)
        #expect(try hsm.gatewayctl(["token", "keygen", "pkcs11:token=ca;object=tls"], pin: pin).status == 0)
        let config = hsm.file("pkid.yaml", Data("""
            pki: \(pki)
            listen: 127.0.0.1:0
            tls_key: "pkcs11:token=ca;object=tls"
            validity: 1y
            """.utf8))
        let pkid = productsDirectory.appendingPathComponent("pkid").path
        let server = try BackgroundProcess(pkid, ["--config", config], environment: hsm.environment.merging(["GATEWAY_PIN": pin]) { $1 })
        let port = try server.waitForPort()
        let chain = try run("curl", ["-s", "--cacert", pki + "/ca.pem", "https://127.0.0.1:\(port)/ca"])
        #expect(chain.output.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(server.stop() == 0)
        #expect(server.stdoutLines.last == "pkid stopped by SIGTERM")

        let incomplete = hsm.file("incomplete.yaml", Data("pki: \(pki)\n".utf8))
        let refused = try run(pkid, ["--config", incomplete], environment: hsm.environment)
        #expect(refused.status == 1)
        #expect(refused.stderr == "pkid: no TLS key: give --tls-key URI or tls_key: in the configuration\n")
    }
}
