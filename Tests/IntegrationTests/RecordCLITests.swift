import COSEM
import Foundation
import Testing
import TestSupport

/// A simulator reading signed on a SoftHSM key with `gatewayctl record sign`, checked by `gatewayctl verify` and,
/// independently, by openssl over the frame's signed bytes.
@Suite("gatewayctl record sign and verify, with the key on a token")
struct RecordCLITests {
    @Test("a signed reading verifies with gatewayctl and with openssl; a changed byte or a revoked certificate does not")
    func signAndVerify() async throws {
        let hsm = try SoftHSMFixture()
        let caPIN = try await hsm.createToken("ca")
        let gatewayPIN = try await hsm.createToken("gateway")
        let pki = hsm.path("pki")
        #expect(try await hsm.gatewayctl(["ca", "init", "--pki", pki, "--key", "pkcs11:token=ca;object=root", "--subject", "CN=Record Root"], pin: caPIN).status == 0)
        let key = "pkcs11:token=gateway;object=meter-sign"
        #expect(try await hsm.gatewayctl(["token", "keygen", key], pin: gatewayPIN).status == 0)
        let csr = hsm.path("sign.csr")
        #expect(try await hsm.gatewayctl(["token", "csr", key, "--subject", "CN=00DB1234567890A0", "--out", csr], pin: gatewayPIN).status == 0)
        let cert = hsm.path("sign.pem")
        #expect(try await hsm.gatewayctl(["ca", "issue", "--pki", pki, "--csr", csr, "--profile", "sign", "--out", cert], pin: caPIN).status == 0)

        let simulator = try await BackgroundProcess(gatewayctlPath, ["meter", "simulate", "--listen", "127.0.0.1:0", "--map", pac3200MapPath])
        let port = try await simulator.waitForPort()
        let reading = try await run(gatewayctlPath, ["meter", "read", "--host", "127.0.0.1", "--port", "\(port)", "--map", pac3200MapPath, "--json"])
        await simulator.stop()
        let readingFile = hsm.file("reading.json", reading.stdout)

        let frame = hsm.path("frame.bin")
        let counter = hsm.path("counter")
        for expected in 1...2 {
            let signed = try await hsm.gatewayctl(["record", "sign", "--key", key, "--cert", cert, "--reading", readingFile,
                                             "--system-title", "00DB1234567890A0", "--counter", counter, "--out", frame,
                                             "--evidence", hsm.path("evidence.der")], pin: gatewayPIN)
            #expect(signed.status == 0, "\(signed.stderr)")
            #expect(signed.stderr.hasPrefix("signed transaction \(expected) (47 values, 64-byte signature)"))
        }
        let verified = try await hsm.gatewayctl(["verify", "--frame", frame, "--ca", pki + "/ca.pem", "--crl", pki + "/crl.der", "--cert", cert])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("record: transaction 2, sequence 2, from 00DB1234567890A0"))
        #expect(verified.output.hasSuffix("verdict: VALID\n"))
        // The evidence file alone, with the CA and its CRL, is enough for a third party.
        let fromEvidence = try await hsm.gatewayctl(["verify", "--evidence", hsm.path("evidence.der"), "--ca", pki + "/ca.pem", "--crl", pki + "/crl.der"])
        #expect(fromEvidence.status == 0, "\(fromEvidence.output)")
        #expect(fromEvidence.output.contains("ok   evidence: its record, signature and certificate_info are those of the signed frame"))

        // Any Double a meter (or a signer) puts in a record prints: 1e19 once crashed the text output (SIGILL).
        var object = try #require(try JSONSerialization.jsonObject(with: reading.stdout) as? [String: Any])
        var values = try #require(object["values"] as? [[String: Any]])
        for (index, extreme) in [1e19, -1e300, 5e-324, Double.greatestFiniteMagnitude].enumerated() {
            values[index]["value"] = extreme
            values[index]["valid"] = true
        }
        object["values"] = values
        let extremeFile = hsm.file("extreme.json", try JSONSerialization.data(withJSONObject: object))
        let extremeFrame = hsm.path("extreme.bin")
        let extremeSigned = try await hsm.gatewayctl(["record", "sign", "--key", key, "--cert", cert, "--reading", extremeFile,
                                                "--system-title", "00DB1234567890A0", "--counter", counter, "--out", extremeFrame], pin: gatewayPIN)
        try #require(extremeSigned.status == 0, "\(extremeSigned.stderr)")
        let extremeVerified = try await hsm.gatewayctl(["verify", "--frame", extremeFrame, "--ca", pki + "/ca.pem", "--crl", pki + "/crl.der", "--cert", cert])
        #expect(extremeVerified.status == 0, "\(extremeVerified.stderr)")
        #expect(extremeVerified.output.contains("10000000000000000000.0"), "\(extremeVerified.output)")
        #expect(extremeVerified.output.hasSuffix("verdict: VALID\n"))

        // openssl, knowing nothing of DLMS, checks the signature over convention A's bytes.
        let general = try GeneralSigning(decoding: Array(try Data(contentsOf: URL(fileURLWithPath: frame))))
        let signedBytes = hsm.file("signed.bin", Data(general.signedBytes(.a)))
        let r = Array(general.signature.prefix(32)), s = Array(general.signature.suffix(32))
        func integer(_ bytes: [UInt8]) -> [UInt8] {
            var content = Array(bytes.drop { $0 == 0 })
            if content.first.map({ $0 & 0x80 != 0 }) ?? true { content.insert(0, at: 0) }
            return [0x02, UInt8(content.count)] + content
        }
        let body = integer(r) + integer(s)
        let signatureFile = hsm.file("sig.der", Data([0x30, UInt8(body.count)] + body))
        let pub = hsm.file("pub.pem", try await hsm.gatewayctl(["token", "pubkey", key]).stdout)
        #expect(try await hsm.openssl(["dgst", "-sha256", "-verify", pub, "-signature", signatureFile, signedBytes]).output.contains("Verified OK"))

        var tampered = Array(try Data(contentsOf: URL(fileURLWithPath: frame)))
        tampered[200] ^= 0x04
        let changed = hsm.file("changed.bin", Data(tampered))
        let refused = try await hsm.gatewayctl(["verify", "--frame", changed, "--ca", pki + "/ca.pem", "--crl", pki + "/crl.der", "--cert", cert])
        #expect(refused.status == 1)
        #expect(refused.output.contains("verdict: INVALID (signature: the signature does not verify"))

        let serial = String(try await hsm.openssl(["x509", "-in", cert, "-noout", "-serial"]).output.split(separator: "=")[1]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await hsm.gatewayctl(["ca", "revoke", "--pki", pki, "--serial", serial, "--reason", "keyCompromise"], pin: caPIN).status == 0)
        let revoked = try await hsm.gatewayctl(["verify", "--frame", frame, "--ca", pki + "/ca.pem", "--crl", pki + "/crl.der", "--cert", cert, "--json"])
        #expect(revoked.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: revoked.stdout) as? [String: Any])
        #expect(json["verdict"] as? String == "invalid")
        let failed = (json["checks"] as? [[String: Any]])?.first { $0["passed"] as? Bool == false }
        #expect(failed?["name"] as? String == "certificate")
        #expect((failed?["detail"] as? String)?.hasSuffix("(keyCompromise)") == true)

        let decoded = try await run(gatewayctlPath, ["cosem", "decode", "--in", frame])
        #expect(decoded.output.hasPrefix("general-signing\n  transaction-id: (8 bytes) 0000000000000002\n"))
    }
}
