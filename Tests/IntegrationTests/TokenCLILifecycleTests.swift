import Foundation
import Testing
import TestSupport

@Suite("gatewayctl token: init, list, keys, certificates, delete")
struct TokenCLILifecycleTests {
    @Test("init makes a token list shows; keys shows the protection flags; import-cert and delete work")
    func lifecycle() async throws {
        let hsm = try SoftHSMFixture()
        let pin = "12345678"
        let made = try await hsm.gatewayctl(["token", "init", "--label", "field-unit"], pin: pin, extra: ["GATEWAY_SO_PIN": "87654321"])
        try #require(made.status == 0, "\(made.stderr)")
        #expect(made.output.contains("initialised token \"field-unit\""))
        let again = try await hsm.gatewayctl(["token", "init", "--label", "field-unit"], pin: pin, extra: ["GATEWAY_SO_PIN": "87654321"])
        #expect(again.stderr == "gatewayctl: a token labelled \"field-unit\" already exists; choose another label\n")

        let list = try await hsm.gatewayctl(["token", "list"])
        #expect(list.output.contains("token \"field-unit\""))
        #expect(list.output.contains("flags: initialized, login-required, user-pin-set"))

        #expect(try await hsm.gatewayctl(["token", "keygen", "pkcs11:token=field-unit;object=tls", "--type", "ec-p256"], pin: pin).status == 0)
        let keys = try await hsm.gatewayctl(["token", "keys", "pkcs11:token=field-unit"], pin: pin)
        let privateRow = keys.output.split(separator: "\n").first { $0.hasPrefix("private") }.map(String.init) ?? ""
        #expect(privateRow.contains("tls") && privateRow.contains("ec-p256") && privateRow.contains("sensitive") && privateRow.contains("never-extractable"), "\(keys.output)")

        // A certificate for the token key, issued by openssl from a throwaway CA.
        let pub = hsm.file("pub.pem", try await hsm.gatewayctl(["token", "pubkey", "pkcs11:token=field-unit;object=tls"]).stdout)
        let caKey = hsm.path("ca.key")
        #expect(try await hsm.openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", caKey]).status == 0)
        let cert = hsm.path("cert.pem")
        #expect(try await hsm.openssl(["x509", "-new", "-subj", "/CN=tls", "-key", caKey, "-force_pubkey", pub, "-days", "1", "-out", cert]).status == 0)
        let imported = try await hsm.gatewayctl(["token", "import-cert", "pkcs11:token=field-unit;object=tls", "--cert", cert], pin: pin)
        #expect(imported.status == 0, "\(imported.stderr)")
        let listed = try await hsm.pkcs11Tool(["--token-label", "field-unit", "--list-objects", "--type", "cert"])
        #expect(listed.output.contains("label:      tls"), "\(listed.output)")
        #expect(listed.output.contains("subject:    DN: CN=tls"), "\(listed.output)")

        let deleted = try await hsm.gatewayctl(["token", "delete", "pkcs11:token=field-unit;object=tls"], pin: pin)
        #expect(deleted.output.split(separator: "\n").count == 3, "\(deleted.output)")
        #expect(try await hsm.gatewayctl(["token", "keys", "pkcs11:token=field-unit"], pin: pin).output.hasPrefix("token \"field-unit\": 0 objects"))
    }
}
