import Foundation
import Testing
import TestSupport

/// pkid as deployed: the CA key and its TLS key on a SoftHSM token, EST exercised with curl and an OpenSSL-made
/// CSR, the Central Directory and the CRL over HTTP, and gatewayctl's own enrollment client.
@Suite("pkid: EST through the RA, the Central Directory, the CRL")
final class PKIDTests {
    let hsm: SoftHSMFixture
    let caPIN: String
    let gatewayPIN: String
    let pki: String
    let pkid: BackgroundProcess
    let httpsPort: Int
    let httpPort: Int

    init() async throws {
        hsm = try SoftHSMFixture()
        caPIN = try await hsm.createToken("ca")
        gatewayPIN = try await hsm.createToken("gateway")
        pki = hsm.path("pki")
        let made = try await hsm.gatewayctl(["ca", "init", "--pki", pki, "--key", "pkcs11:token=ca;object=root", "--subject", "CN=EST Test Root"], pin: caPIN)
        precondition(made.status == 0, made.stderr)
        // P-384 keys are not allowed in this PKI, to test the RA's key-type check.
        let config = pki + "/pki.json"
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: config))) as! [String: Any]
        json["allowedKeyTypes"] = ["ec-p256", "rsa-2048"]
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: config))
        let tlsKey = try await hsm.gatewayctl(["token", "keygen", "pkcs11:token=ca;object=pkid-tls"], pin: caPIN)
        precondition(tlsKey.status == 0, tlsKey.stderr)
        pkid = try await BackgroundProcess(gatewayctlPath.replacingOccurrences(of: "/gatewayctl", with: "/pkid"), [
            "--pki", pki, "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0", "--tls-key", "pkcs11:token=ca;object=pkid-tls",
        ], environment: hsm.environment.merging(["GATEWAY_PIN": caPIN]) { $1 })
        httpsPort = try await pkid.waitForPort()
        let line = try await pkid.waitForLine(containing: "http://")
        httpPort = Int(line.split(separator: ":")[2].split(separator: " ")[0])!
    }


    var url: String { "https://127.0.0.1:\(httpsPort)" }

    func register(_ title: String, profile: String = "sign", expires: String = "1h") async throws -> String {
        let out = try await hsm.gatewayctl(["ra", "register", "--pki", pki, "--system-title", title, "--profile", profile, "--expires", expires])
        precondition(out.status == 0, out.stderr)
        return String(out.output.components(separatedBy: "(shown once): ")[1].trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// An OpenSSL-made CSR, base64 DER as EST sends it.
    func opensslCSR(_ subject: String, curve: String = "P-256") async throws -> String {
        let name = "\(UUID().uuidString.prefix(6))"
        let der = hsm.path("\(name).der")
        let made = try await hsm.openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:\(curve)", "-nodes",
                                    "-keyout", hsm.path("\(name).key"), "-subj", subject, "-outform", "DER", "-out", der])
        precondition(made.status == 0, made.stderr)
        return hsm.file("\(name).b64", Data(try Data(contentsOf: URL(fileURLWithPath: der)).base64EncodedString().utf8))
    }

    func curl(_ arguments: [String]) async throws -> (code: Int, body: String) {
        let result = try await run("curl", ["-s", "-w", "\n%{http_code}", "--cacert", pki + "/ca.pem"] + arguments)
        var lines = result.output.components(separatedBy: "\n")
        let code = Int(lines.removeLast()) ?? 0
        return (code, lines.joined(separator: "\n").trimmingCharacters(in: .newlines))
    }

    func enroll(_ title: String, secret: String, csr: String, label: String = "") async throws -> (code: Int, body: String) {
        try await curl(["-u", "\(title):\(secret)", "--data-binary", "@\(csr)", "-H", "Content-Type: application/pkcs10",
                  "\(url)/.well-known/est/\(label)simpleenroll"])
    }

    func issuedCount() async throws -> Int {
        try await hsm.gatewayctl(["ca", "list", "--pki", pki]).output.split(separator: "\n").count - 1
    }

    @Test("curl enrolls once with a valid secret; the certificate comes back as certs-only PKCS#7")
    func enrollOnce() async throws {
        let secret = try await register("00DB1234567890A0")
        let csr = try await opensslCSR("/CN=00DB1234567890A0")
        let first = try await enroll("00DB1234567890A0", secret: secret, csr: csr, label: "sign/")
        #expect(first.code == 200)
        let pkcs7 = hsm.file("answer.der", try #require(Data(base64Encoded: first.body.filter { !$0.isWhitespace })))
        let printed = try await hsm.openssl(["pkcs7", "-inform", "DER", "-in", pkcs7, "-print_certs", "-noout"])
        #expect(printed.output.contains("subject=CN = 00DB1234567890A0"), "\(printed.output) \(printed.stderr)")

        // The answer lost: the same request again gets the same certificate; another key is refused.
        let again = try await enroll("00DB1234567890A0", secret: secret, csr: csr)
        #expect(again.code == 200)
        #expect(again.body == first.body)
        let otherKey = try await enroll("00DB1234567890A0", secret: secret, csr: try opensslCSR("/CN=00DB1234567890A0"))
        #expect(otherKey.code == 403)
        #expect(otherKey.body == "this enrollment secret was already used; register the device again for a new one")
        #expect(try await issuedCount() == 2)  // pkid's own TLS certificate and the device's
    }

    @Test("wrong, expired, a foreign subject, a bad signature, a disallowed key: each refused with its status, nothing issued")
    func refusals() async throws {
        let before = try await issuedCount()
        let secret = try await register("00DB1234567890A1")
        let csr = try await opensslCSR("/CN=00DB1234567890A1")

        let wrong = try await enroll("00DB1234567890A1", secret: "NOT-THE-SECRET", csr: csr)
        #expect(wrong.code == 401)
        #expect(wrong.body == "unknown system title or wrong enrollment secret; check the secret the RA printed at registration")

        let mismatch = try await enroll("00DB1234567890A1", secret: secret, csr: try await opensslCSR("/CN=00DB1234567890FF"))
        #expect(mismatch.code == 400)
        #expect(mismatch.body == "the CSR's subject CN 00DB1234567890FF is not the registered system title 00DB1234567890A1")

        var der = try #require(Data(base64Encoded: try String(contentsOfFile: csr, encoding: .utf8)))
        der[der.count - 4] ^= 0x01
        let forged = hsm.file("forged.b64", Data(der.base64EncodedString().utf8))
        let badSignature = try await enroll("00DB1234567890A1", secret: secret, csr: forged)
        #expect(badSignature.code == 400)
        #expect(badSignature.body == "the CSR's signature does not verify (no proof of possession of the key)")

        let p384 = try await enroll("00DB1234567890A1", secret: secret, csr: try await opensslCSR("/CN=00DB1234567890A1", curve: "P-384"))
        #expect(p384.code == 400)
        #expect(p384.body == "key type ec-p384 is not allowed by this PKI")

        let shortLived = try await register("00DB1234567890A2", expires: "0.0003h")
        try await Task.sleep(for: .seconds(1.5))
        let expired = try await enroll("00DB1234567890A2", secret: shortLived, csr: try await opensslCSR("/CN=00DB1234567890A2"))
        #expect(expired.code == 403)
        #expect(expired.body == "this enrollment secret has expired; register the device again for a new one")

        #expect(try await issuedCount() == before)
        // None of the refusals used the secret up.
        #expect(try await enroll("00DB1234567890A1", secret: secret, csr: csr).code == 200)
    }

    @Test("the Central Directory returns exactly the issued certificate by serial, 404 for unknown, 400 for malformed")
    func directory() async throws {
        let secret = try await register("00DB1234567890B0")
        let answer = try await enroll("00DB1234567890B0", secret: secret, csr: try opensslCSR("/CN=00DB1234567890B0"))
        let pkcs7 = hsm.file("b0.p7", try #require(Data(base64Encoded: answer.body.filter { !$0.isWhitespace })))
        let pem = hsm.path("b0.pem")
        #expect(try await hsm.openssl(["pkcs7", "-inform", "DER", "-in", pkcs7, "-print_certs", "-out", pem]).status == 0)
        let issuedDER = hsm.path("b0.der")
        #expect(try await hsm.openssl(["x509", "-in", pem, "-outform", "DER", "-out", issuedDER]).status == 0)
        let serial = String(try await hsm.openssl(["x509", "-in", pem, "-noout", "-serial"]).output.split(separator: "=")[1]).trimmingCharacters(in: .whitespacesAndNewlines)

        let fetched = hsm.path("fetched.der")
        let get = try await run("curl", ["-s", "-o", fetched, "-w", "%{http_code}", "http://127.0.0.1:\(httpPort)/certificates/\(serial.lowercased())"])
        #expect(get.output == "200")
        #expect(try Data(contentsOf: URL(fileURLWithPath: fetched)) == Data(contentsOf: URL(fileURLWithPath: issuedDER)))
        let asPEM = try await curl(["\(url)/certificates/\(serial)?format=pem"])
        #expect(asPEM.code == 200 && asPEM.body.hasPrefix("-----BEGIN CERTIFICATE-----"))

        let unknown = try await curl(["\(url)/certificates/0123456789ABCDEF"])
        #expect(unknown.code == 404)
        #expect(unknown.body == "no certificate with serial 0123456789ABCDEF")
        let malformed = try await curl(["\(url)/certificates/not-hex"])
        #expect(malformed.code == 400)

        let byTitle = try await curl(["\(url)/certificates?system-title=00db1234567890b0"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(byTitle.body.utf8)) as? [[String: String]])
        #expect(list.map { $0["serial"] } == [serial])

        let crl = hsm.path("crl.der")
        #expect(try await run("curl", ["-s", "-o", crl, "http://127.0.0.1:\(httpPort)/crl"]).status == 0)
        #expect(try await hsm.openssl(["crl", "-inform", "DER", "-in", crl, "-noout", "-issuer"]).output.contains("CN = EST Test Root"))
        // Plain HTTP never enrolls.
        let plain = try await run("curl", ["-s", "-w", "\n%{http_code}", "-u", "00DB1234567890B0:x", "--data-binary", "x", "http://127.0.0.1:\(httpPort)/.well-known/est/simpleenroll"])
        #expect(plain.output.hasSuffix("\n403"))
    }

    @Test("the Central Directory reads a serial in any pasted form and names serials in the canonical one")
    func directorySerialForms() async throws {
        let secret = try await register("00DB1234567890C0")
        let answer = try await enroll("00DB1234567890C0", secret: secret, csr: try opensslCSR("/CN=00DB1234567890C0"))
        let pkcs7 = hsm.file("c0.p7", try #require(Data(base64Encoded: answer.body.filter { !$0.isWhitespace })))
        let pem = hsm.path("c0.pem")
        #expect(try await hsm.openssl(["pkcs7", "-inform", "DER", "-in", pkcs7, "-print_certs", "-out", pem]).status == 0)
        let issuedDER = hsm.path("c0.der")
        #expect(try await hsm.openssl(["x509", "-in", pem, "-outform", "DER", "-out", issuedDER]).status == 0)
        let serial = String(try await hsm.openssl(["x509", "-in", pem, "-noout", "-serial"]).output.dropFirst("serial=".count).dropLast())
        let colons = "00:" + stride(from: 0, to: serial.count, by: 2).map { serial.lowercased().dropFirst($0).prefix(2) }.joined(separator: ":")

        for (index, form) in ["00" + serial, "0x" + serial.lowercased(), colons].enumerated() {
            let fetched = hsm.path("fetched-\(index).der")
            let get = try await run("curl", ["-s", "-o", fetched, "-w", "%{http_code}", "http://127.0.0.1:\(httpPort)/certificates/\(form)"])
            #expect(get.output == "200", "\(form)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: fetched)) == Data(contentsOf: URL(fileURLWithPath: issuedDER)), "\(form)")
        }
        // A serial with its high bit set, given with DER's 00 and in lower case, is named without either.
        let unknown = try await curl(["\(url)/certificates/0080ff01"])
        #expect(unknown.code == 404)
        #expect(unknown.body == "no certificate with serial 80FF01")
        let malformed = try await curl(["\(url)/certificates/80::ff"])
        #expect(malformed.code == 400)
        #expect(malformed.body == "invalid serial \"80::ff\"; give the serial number in hex, as `gatewayctl ca list` prints it")
    }

    @Test("a tls enrollment keeps the subjectAltNames the CSR requests")
    func requestedNames() async throws {
        let secret = try await register("00DB1234567890F0", profile: "tls")
        let der = hsm.path("f0.der")
        let made = try await hsm.openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", hsm.path("f0.key"),
                                    "-subj", "/CN=00DB1234567890F0", "-addext", "subjectAltName=DNS:gateway-f0.local,IP:127.0.0.1",
                                    "-outform", "DER", "-out", der])
        try #require(made.status == 0, "\(made.stderr)")
        let csr = hsm.file("f0.b64", Data(try Data(contentsOf: URL(fileURLWithPath: der)).base64EncodedString().utf8))
        let answer = try await enroll("00DB1234567890F0", secret: secret, csr: csr, label: "tls/")
        #expect(answer.code == 200, "\(answer.body)")
        let pkcs7 = hsm.file("f0.p7", try #require(Data(base64Encoded: answer.body.filter { !$0.isWhitespace })))
        let pem = hsm.path("f0.pem")
        #expect(try await hsm.openssl(["pkcs7", "-inform", "DER", "-in", pkcs7, "-print_certs", "-out", pem]).status == 0)
        let text = try await hsm.openssl(["x509", "-in", pem, "-noout", "-ext", "subjectAltName,extendedKeyUsage"]).output
        #expect(text.contains("DNS:gateway-f0.local, IP Address:127.0.0.1"), "\(text)")
        #expect(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"))
    }

    @Test("openssl ocsp against pkid answers good, then revoked after gatewayctl ca revoke")
    func ocsp() async throws {
        let secret = try await register("00DB1234567890D0")
        let answer = try await enroll("00DB1234567890D0", secret: secret, csr: try opensslCSR("/CN=00DB1234567890D0"))
        let pkcs7 = hsm.file("d0.p7", try #require(Data(base64Encoded: answer.body.filter { !$0.isWhitespace })))
        let cert = hsm.path("d0.pem")
        #expect(try await hsm.openssl(["pkcs7", "-inform", "DER", "-in", pkcs7, "-print_certs", "-out", cert]).status == 0)
        func query() async throws -> ProcessResult {
            try await hsm.openssl(["ocsp", "-issuer", pki + "/ca.pem", "-cert", cert, "-url", "http://127.0.0.1:\(httpPort)/ocsp", "-CAfile", pki + "/ca.pem"])
        }
        let good = try await query()
        #expect(good.stderr.contains("Response verify OK"), "\(good.stderr)")
        #expect(good.output.hasPrefix("\(cert): good\n"), "\(good.output)")

        let serial = String(try await hsm.openssl(["x509", "-in", cert, "-noout", "-serial"]).output.split(separator: "=")[1]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await hsm.gatewayctl(["ca", "revoke", "--pki", pki, "--serial", serial, "--reason", "keyCompromise"], pin: caPIN).status == 0)
        let revoked = try await query()
        #expect(revoked.output.hasPrefix("\(cert): revoked\n"), "\(revoked.output)")
        #expect(revoked.output.contains("Reason: keyCompromise"))
    }

    @Test("a frame signed with an enrolled key verifies with its certificate looked up by serial in the Central Directory")
    func verifyThroughDirectory() async throws {
        let secret = try await register("00DB1234567890D9")
        let key = "pkcs11:token=gateway;object=sign-d9"
        #expect(try await hsm.gatewayctl(["token", "keygen", key], pin: gatewayPIN).status == 0)
        let certFile = hsm.path("d9.pem")
        let enrolled = try await hsm.gatewayctl(["enroll", "--url", url, "--ca", pki + "/ca.pem", "--secret-env", "ENROLL_SECRET", "--key", key,
                                           "--system-title", "00DB1234567890D9", "--profile", "sign", "--out", certFile],
                                          pin: gatewayPIN, extra: ["ENROLL_SECRET": secret])
        try #require(enrolled.status == 0, "\(enrolled.stderr)")
        let reading = hsm.file("reading.json", Data("""
            {"time": "2026-11-25T12:00:00Z", "meter": "PAC3200", "values": [{"obis": "1.0.1.8.1.255", "name": "energy", "value": 1.5, "unit": "Wh", "scaler": 0, "valid": true}],
             "status": {"error_code": 0, "conditions": []}, "rtt_ms": [], "errors": []}
            """.utf8))
        // The reading holds one counter, so it is signed with a map of that one counter.
        let map = hsm.file("energy.yaml", Data("""
            meter: PAC3200
            counters:
              - { name: energy, address: 801, type: float64, unit: Wh, obis: 1.0.1.8.1.255 }
            """.utf8))
        let frame = hsm.path("d9.bin")
        let unmapped = try await hsm.gatewayctl(["record", "sign", "--key", key, "--cert", certFile, "--reading", reading,
                                           "--system-title", "00DB1234567890D9", "--transaction-id", "7", "--out", frame], pin: gatewayPIN)
        #expect(unmapped.status == 1)
        #expect(unmapped.stderr.hasPrefix("gatewayctl: \(reading): the reading has no value 1.0.32.7.0.255 (voltage L1-N) that the register map lists; read it with the same --map"), "\(unmapped.stderr)")
        let signed = try await hsm.gatewayctl(["record", "sign", "--map", map, "--key", key, "--cert", certFile, "--reading", reading,
                                         "--system-title", "00DB1234567890D9", "--transaction-id", "7", "--out", frame], pin: gatewayPIN)
        try #require(signed.status == 0, "\(signed.stderr)")
        let crl = hsm.path("directory-crl.der")
        #expect(try await run("curl", ["-s", "-o", crl, "http://127.0.0.1:\(httpPort)/crl"]).status == 0)
        let verified = try await hsm.gatewayctl(["verify", "--frame", frame, "--ca", pki + "/ca.pem", "--crl", crl,
                                           "--directory", "http://127.0.0.1:\(httpPort)"])
        #expect(verified.status == 0, "\(verified.output) \(verified.stderr)")
        #expect(verified.output.hasSuffix("verdict: VALID\n"))
    }

    @Test("gatewayctl enroll puts the certificate on the token; renew waits for 70 % unless forced")
    func enrollmentClient() async throws {
        let secret = try await register("00DB1234567890C0", profile: "tls")
        #expect(try await hsm.gatewayctl(["token", "keygen", "pkcs11:token=gateway;object=tls"], pin: gatewayPIN).status == 0)
        let enrolled = try await hsm.gatewayctl(["enroll", "--url", url, "--ca", pki + "/ca.pem", "--secret-env", "ENROLL_SECRET",
                                           "--key", "pkcs11:token=gateway;object=tls", "--system-title", "00DB1234567890C0", "--profile", "tls"],
                                          pin: gatewayPIN, extra: ["ENROLL_SECRET": secret])
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        #expect(enrolled.output.hasPrefix("certificate "))
        let listed = try await hsm.pkcs11Tool(["--token-label", "gateway", "--list-objects", "--type", "cert"])
        #expect(listed.output.contains("subject:    DN: CN=00DB1234567890C0"), "\(listed.output)")

        let early = try await hsm.gatewayctl(["enroll", "renew", "--url", url, "--ca", pki + "/ca.pem", "--key", "pkcs11:token=gateway;object=tls"], pin: gatewayPIN)
        #expect(early.status == 0)
        #expect(early.output.contains("is not due for renewal until"))
        let forced = try await hsm.gatewayctl(["enroll", "renew", "--url", url, "--ca", pki + "/ca.pem", "--key", "pkcs11:token=gateway;object=tls", "--force"], pin: gatewayPIN)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.output.split(separator: " ")[1] != enrolled.output.split(separator: " ")[1])
        #expect(try await issuedCount() == 3)

        let reused = try await hsm.gatewayctl(["enroll", "--url", url, "--ca", pki + "/ca.pem", "--secret-env", "ENROLL_SECRET",
                                         "--key", "pkcs11:token=gateway;object=tls", "--system-title", "00DB1234567890C0", "--profile", "tls"],
                                        pin: gatewayPIN, extra: ["ENROLL_SECRET": secret])
        #expect(reused.stderr == "gatewayctl: enrollment refused (HTTP 403): this enrollment secret was already used; register the device again for a new one\n")
    }
}
