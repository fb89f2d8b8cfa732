import Foundation
import Testing
import TestSupport

/// The CA as users run it, its key on a SoftHSM token, checked with OpenSSL: requests, profiles, chains, CRLs.
@Suite("gatewayctl ca and token csr, checked with openssl")
struct CACLITests {
    let hsm: SoftHSMFixture
    let caPIN: String
    let gatewayPIN: String
    let pki: String

    init() async throws {
        hsm = try SoftHSMFixture()
        caPIN = try await hsm.createToken("ca")
        gatewayPIN = try await hsm.createToken("gateway")
        pki = hsm.path("pki")
    }

    func ca(_ arguments: String...) async throws -> ProcessResult {
        try await hsm.gatewayctl(["ca"] + arguments, pin: caPIN)
    }

    func gateway(_ arguments: String...) async throws -> ProcessResult {
        try await hsm.gatewayctl(arguments, pin: gatewayPIN)
    }

    func openssl(_ arguments: String...) async throws -> ProcessResult { try await hsm.openssl(arguments) }

    /// A root CA in `pki` and a CSR from a new gateway key; returns the CSR path.
    func rootAndRequest(caType: String = "ec-p256", keyType: String = "ec-p256", subject: String = "CN=00DB1234567890A0", label: String = "meter-sign") async throws -> String {
        let made = try await ca("init", "--pki", pki, "--key", "pkcs11:token=ca;object=root", "--type", caType,
                          "--subject", "CN=Test Root CA,O=Utility", "--url", "http://127.0.0.1:8443")
        try #require(made.status == 0, "\(made.stderr)")
        #expect(made.output.contains("root CA CN=Test Root CA,O=Utility"))
        #expect(try await gateway("token", "keygen", "pkcs11:token=gateway;object=\(label)", "--type", keyType).status == 0)
        let csr = hsm.path("\(label).csr")
        let request = try await gateway("token", "csr", "pkcs11:token=gateway;object=\(label)", "--subject", subject, "--out", csr)
        try #require(request.status == 0, "\(request.stderr)")
        return csr
    }

    func crlPEM() async throws -> String {
        let pem = hsm.path("crl.pem")
        #expect(try await openssl("crl", "-inform", "DER", "-in", pki + "/crl.der", "-out", pem).status == 0)
        return pem
    }

    @Test("EC root CA: our CSR verifies in openssl, the sign certificate has the profile, CRL checks pass until revocation")
    func signProfileAndRevocation() async throws {
        let csr = try await rootAndRequest()
        #expect(try await openssl("req", "-in", csr, "-noout", "-verify").stderr.contains("verify OK"))

        let cert = hsm.path("sign.pem")
        let issued = try await ca("issue", "--pki", pki, "--csr", csr, "--profile", "sign", "--out", cert)
        try #require(issued.status == 0, "\(issued.stderr)")
        let text = try await openssl("x509", "-in", cert, "-noout", "-text").output
        #expect(text.contains("Subject: CN = 00DB1234567890A0"))
        #expect(text.contains("X509v3 Key Usage: critical\n                Digital Signature\n"))
        #expect(text.contains("CA:FALSE"))
        #expect(!text.contains("Extended Key Usage"))
        #expect(text.contains("X509v3 Subject Key Identifier"))
        #expect(text.contains("X509v3 Authority Key Identifier"))
        #expect(text.contains("URI:http://127.0.0.1:8443/crl"))
        #expect(text.contains("OCSP - URI:http://127.0.0.1:8443/ocsp"))
        let serialLine = try await openssl("x509", "-in", cert, "-noout", "-serial").output
        let serial = String(serialLine.split(separator: "=")[1].trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(serial.count == 40)

        let good = try await openssl("verify", "-CAfile", pki + "/ca.pem", "-CRLfile", try crlPEM(), "-crl_check", cert)
        #expect(good.status == 0 && good.output.contains("OK"), "\(good.output) \(good.stderr)")

        let revoked = try await ca("revoke", "--pki", pki, "--serial", serial, "--reason", "keyCompromise")
        #expect(revoked.status == 0, "\(revoked.stderr)")
        let bad = try await openssl("verify", "-CAfile", pki + "/ca.pem", "-CRLfile", try crlPEM(), "-crl_check", cert)
        #expect(bad.status != 0)
        #expect((bad.output + bad.stderr).contains("certificate revoked"))
        let crl = try await openssl("crl", "-in", try crlPEM(), "-noout", "-text").output
        #expect(crl.contains("X509v3 CRL Number: \n                2"))
        #expect(crl.contains("Key Compromise"))

        let list = try await ca("list", "--pki", pki).output
        #expect(list.contains(serial) && list.contains("revoked"))
        #expect(try await ca("revoke", "--pki", pki, "--serial", serial).stderr == "gatewayctl: certificate \(serial) is already revoked\n")
    }

    @Test("ca show and ca revoke read a serial as openssl, colons, 0x or a leading 00 write it, and print the canonical form")
    func serialForms() async throws {
        let csr = try await rootAndRequest()
        let cert = hsm.path("sign.pem")
        try #require(try await ca("issue", "--pki", pki, "--csr", csr, "--profile", "sign", "--out", cert).status == 0)
        let serial = String(try await openssl("x509", "-in", cert, "-noout", "-serial").output.dropFirst("serial=".count).dropLast())
        let colons = "00:" + stride(from: 0, to: serial.count, by: 2).map { serial.lowercased().dropFirst($0).prefix(2) }.joined(separator: ":")

        for form in [serial, serial.lowercased(), "0x00" + serial, colons] {
            let shown = try await ca("show", "--pki", pki, "--serial", form)
            #expect(shown.output.hasPrefix("serial \(serial), profile sign, subject CN=00DB1234567890A0\ncurrent certificate of 00DB1234567890A0 (sign)\n-----BEGIN CERTIFICATE-----"), "\(form): \(shown.output) \(shown.stderr)")
        }
        let revoked = try await ca("revoke", "--pki", pki, "--serial", "00" + serial.lowercased(), "--reason", "keyCompromise")
        #expect(revoked.output == "revoked \(serial) (keyCompromise); new CRL in \(pki)/crl.der\n", "\(revoked.stderr)")
        #expect(try await ca("show", "--pki", pki, "--serial", colons).output.contains("\nREVOKED "))
        #expect(try await openssl("crl", "-in", try crlPEM(), "-noout", "-text").output.contains("Serial Number: \(serial)\n"))
        #expect(try await ca("revoke", "--pki", pki, "--serial", colons).stderr == "gatewayctl: certificate \(serial) is already revoked\n")
        #expect(try await ca("show", "--pki", pki, "--serial", "0080ff").stderr
            == "gatewayctl: no certificate with serial 80FF in this PKI; list them with `gatewayctl ca list`\n")
        #expect(try await ca("revoke", "--pki", pki, "--serial", "80::ff").stderr
            == "gatewayctl: invalid serial \"80::ff\"; give the serial number in hex, as `gatewayctl ca list` prints it\n")
    }

    @Test("RSA CA issuing a tls certificate with SANs for an RSA token key; openssl verifies it")
    func rsaCAAndTLSProfile() async throws {
        let csr = try await rootAndRequest(caType: "rsa-3072", keyType: "rsa-2048", label: "tls")
        let cert = hsm.path("tls.pem")
        let issued = try await ca("issue", "--pki", pki, "--csr", csr, "--profile", "tls", "--dns", "gateway.local", "--ip", "127.0.0.1", "--out", cert)
        try #require(issued.status == 0, "\(issued.stderr)")
        let text = try await openssl("x509", "-in", cert, "-noout", "-text").output
        #expect(text.contains("Signature Algorithm: sha256WithRSAEncryption"))
        #expect(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"))
        #expect(text.contains("DNS:gateway.local, IP Address:127.0.0.1"))
        #expect(text.contains("X509v3 Key Usage: critical\n                Digital Signature\n"))
        let verified = try await openssl("verify", "-CAfile", pki + "/ca.pem", "-CRLfile", try crlPEM(), "-crl_check", cert)
        #expect(verified.status == 0, "\(verified.output) \(verified.stderr)")
    }

    @Test("an EC tls certificate also allows key agreement")
    func ecTLSKeyAgreement() async throws {
        let csr = try await rootAndRequest(label: "tls")
        let cert = hsm.path("tls.pem")
        #expect(try await ca("issue", "--pki", pki, "--csr", csr, "--profile", "tls", "--out", cert).status == 0)
        #expect(try await openssl("x509", "-in", cert, "-noout", "-text").output.contains("Digital Signature, Key Agreement"))
    }

    @Test("a subordinate CA chains to the root; a CSR made by openssl is issued too")
    func subordinateCA() async throws {
        _ = try await rootAndRequest()
        let sub = hsm.path("sub")
        let made = try await ca("init", "--pki", sub, "--key", "pkcs11:token=ca;object=issuing", "--type", "ec-p384",
                          "--subject", "CN=Test Issuing CA", "--parent", pki, "--url", "http://127.0.0.1:8444")
        try #require(made.status == 0, "\(made.stderr)")
        #expect(made.output.contains("subordinate CA CN=Test Issuing CA"))
        #expect(try await ca("list", "--pki", pki).output.contains("CN=Test Issuing CA"))

        let key = hsm.path("openssl.key")
        let csr = hsm.path("openssl.csr")
        let request = try await openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                  "-keyout", key, "-subj", "/CN=00DB1234567890A1", "-out", csr)
        try #require(request.status == 0, "\(request.stderr)")
        let cert = hsm.path("leaf.pem")
        #expect(try await ca("issue", "--pki", sub, "--csr", csr, "--profile", "sign", "--out", cert).status == 0)
        let text = try await openssl("x509", "-in", cert, "-noout", "-text").output
        #expect(text.contains("Signature Algorithm: ecdsa-with-SHA384"))
        let verified = try await openssl("verify", "-CAfile", pki + "/ca.pem", "-untrusted", sub + "/ca.pem", cert)
        #expect(verified.status == 0, "\(verified.output) \(verified.stderr)")
        let subText = try await openssl("x509", "-in", sub + "/ca.pem", "-noout", "-text").output
        #expect(subText.contains("CA:TRUE, pathlen:0"))
        #expect(subText.contains("Certificate Sign, CRL Sign"))
    }

    @Test("refused requests: a sign subject that is no system title, a forged signature, a key type not allowed")
    func refusals() async throws {
        let csr = try await rootAndRequest(subject: "CN=not-a-title")
        #expect(try await ca("issue", "--pki", pki, "--csr", csr, "--profile", "sign").stderr
            == "gatewayctl: invalid system title \"not-a-title\"; a system title is 8 bytes written as 16 hex digits, e.g. 00DB1234567890A0\n")

        // Flip one bit inside the CSR's signature: the CSR still parses, its proof of possession fails.
        var der = try #require(Data(base64Encoded: try String(contentsOfFile: csr, encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()))
        der[der.count - 5] ^= 0x01
        let forged = hsm.file("forged.der", der)
        #expect(try await ca("issue", "--pki", pki, "--csr", forged, "--profile", "tls").stderr
            == "gatewayctl: the CSR's signature does not verify (no proof of possession of the key); create it again on the device\n")

        // Narrow the allowed key types, then present a P-384 key.
        let config = pki + "/pki.json"
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: config))) as? [String: Any])
        json["allowedKeyTypes"] = ["ec-p256"]
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: config))
        #expect(try await gateway("token", "keygen", "pkcs11:token=gateway;object=p384", "--type", "ec-p384").status == 0)
        let p384 = hsm.path("p384.csr")
        #expect(try await gateway("token", "csr", "pkcs11:token=gateway;object=p384", "--subject", "CN=00DB1234567890A2", "--out", p384).status == 0)
        #expect(try await ca("issue", "--pki", pki, "--csr", p384, "--profile", "sign").stderr
            == "gatewayctl: key type ec-p384 is not allowed by this PKI (allowed: ec-p256)\n")
        #expect(try await ca("list", "--pki", pki).output.split(separator: "\n").count == 1)
        #expect(try await ca("show", "--pki", pki, "--serial", "zz").stderr
            == "gatewayctl: invalid serial \"zz\"; give the serial number in hex, as `gatewayctl ca list` prints it\n")
    }
}
