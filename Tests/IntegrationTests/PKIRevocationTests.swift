import Foundation
import Testing
import TestSupport

/// A revocation is in the CRL as soon as it is anywhere, and a device's new certificate supersedes its old one,
/// as CRL and OCSP users, `gatewayctl ca list`/`ca show` and pkid's directory see it.
@Suite("Revocations reach the CRL; re-enrollment supersedes")
struct PKIRevocationTests {
    /// A device enrolled through pkid: its certificate as PEM, its key, its serial.
    func enrolled(_ fixture: PKIDFixture, _ title: String, profile: String = "sign") async throws -> (pem: String, key: String, serial: String) {
        let secret = try await fixture.register(title, profile: profile)
        let (csr, key) = try await fixture.csr("/CN=\(title)")
        let answer = try await fixture.enroll(title, secret: secret, csr: csr)
        guard answer.code == 200 else { throw TestSetupError("enrollment failed: \(answer.code) \(answer.body)") }
        let certificate = try await fixture.certificate(in: answer.body)
        return (certificate.pem, key, certificate.serial)
    }

    @Test("ca revoke whose CRL cannot be written revokes nothing, in the directory, OCSP and the CRL alike; run again, it revokes")
    func failedCRLWrite() async throws {
        let fixture = try await PKIDFixture()
        let device = try await enrolled(fixture, "00DB1234567890F1")
        let revoke = ["ca", "revoke", "--pki", fixture.pki, "--serial", device.serial, "--reason", "keyCompromise"]

        let failed = try await fixture.gatewayctl(revoke, extra: ["PKI_TEST_FAIL_AT": "crl-write"])
        #expect(failed.status == 1)
        #expect(failed.stderr == "gatewayctl: cannot write the CRL to \(fixture.pki)/crl.der: crl-write failed by the test hook PKI_TEST_FAIL_AT; nothing was revoked or recorded: try again once the file can be written\n")
        #expect(!(try await fixture.gatewayctl(["ca", "show", "--pki", fixture.pki, "--serial", device.serial]).output.contains("REVOKED")))
        #expect(try await fixture.ocsp(device.pem).hasPrefix("\(device.pem): good\n"))
        #expect(!(try await fixture.servedCRL().contains(device.serial)))

        let again = try await fixture.gatewayctl(revoke)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try await fixture.servedCRL().contains("Serial Number: \(device.serial)\n"))
        let ocsp = try await fixture.ocsp(device.pem)
        #expect(ocsp.hasPrefix("\(device.pem): revoked\n") && ocsp.contains("Reason: keyCompromise"), "\(ocsp)")
    }

    @Test("ca revoke of a revoked certificate republishes a CRL that lacks it; when that write fails, it says so, not only 'already revoked'")
    func failedRepublish() async throws {
        let fixture = try await PKIDFixture()
        let device = try await enrolled(fixture, "00DB1234567890F3")
        let revoke = ["ca", "revoke", "--pki", fixture.pki, "--serial", device.serial, "--reason", "keyCompromise"]
        #expect(try await fixture.gatewayctl(revoke).status == 0)
        let crlPath = fixture.pki + "/crl.der"
        try FileManager.default.removeItem(atPath: crlPath)  // a CRL that lacks the revocation, as an older release left one

        let failed = try await fixture.gatewayctl(revoke, extra: ["PKI_TEST_FAIL_AT": "crl-write"])
        #expect(failed.status == 1)
        #expect(failed.stderr.hasPrefix("gatewayctl: cannot write the CRL to \(crlPath): crl-write failed by the test hook"), "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: crlPath))

        let again = try await fixture.gatewayctl(revoke)
        #expect(again.stderr.contains("already revoked"), "\(again.stderr)")
        #expect(FileManager.default.fileExists(atPath: crlPath))
    }

    @Test("a second enrollment supersedes the first certificate: CRL and OCSP say superseded; the directory, ca list and ca show say which is current")
    func enrollmentSupersedes() async throws {
        let fixture = try await PKIDFixture()
        let title = "00DB1234567890F2"
        let first = try await enrolled(fixture, title, profile: "tls")
        let second = try await enrolled(fixture, title, profile: "tls")

        let crl = try await fixture.servedCRL()
        #expect(crl.contains("Serial Number: \(first.serial)\n"), "\(crl)")
        #expect(crl.contains("Superseded"))
        #expect(!crl.contains(second.serial))
        let ocsp = try await fixture.ocsp(first.pem)
        #expect(ocsp.hasPrefix("\(first.pem): revoked\n") && ocsp.contains("Reason: superseded"), "\(ocsp)")
        #expect(try await fixture.ocsp(second.pem).hasPrefix("\(second.pem): good\n"))

        let entries = Dictionary(uniqueKeysWithValues: try await fixture.directory(title).map { ($0["serial"] ?? "", $0) })
        #expect(entries[first.serial]?["current"] == "false")
        #expect(entries[first.serial]?["supersededBy"] == second.serial)
        #expect(entries[first.serial]?["status"] == "revoked")
        #expect(entries[second.serial]?["current"] == "true")
        #expect(entries[second.serial]?["supersededBy"] == nil)

        let listed = Dictionary(uniqueKeysWithValues: try await fixture.listed().map { ($0.serial, $0.line) })
        #expect(listed[first.serial]?.hasSuffix("superseded by \(second.serial)") == true, "\(listed)")
        #expect(listed[second.serial]?.hasSuffix("current") == true, "\(listed)")
        let shown = try await fixture.gatewayctl(["ca", "show", "--pki", fixture.pki, "--serial", first.serial]).output
        #expect(shown.contains("\nREVOKED ") && shown.contains(", reason superseded, superseded by \(second.serial)\n"), "\(shown)")
        #expect(try await fixture.gatewayctl(["ca", "show", "--pki", fixture.pki, "--serial", second.serial]).output
            .contains("\ncurrent certificate of \(title) (tls)\n"))

        // Re-enrollment with the current certificate as TLS client certificate supersedes it in turn.
        let (csr, _) = try await fixture.csr("/CN=\(title)")
        let reenroll = ["--cert", second.pem, "--key", second.key, "--data-binary", "@\(csr)", "-H", "Content-Type: application/pkcs10",
                        "\(fixture.url)/.well-known/est/simplereenroll"]
        let renewed = try await fixture.curl(reenroll)
        #expect(renewed.code == 200, "\(renewed.body)")
        let third = try await fixture.certificate(in: renewed.body).serial
        let after = Dictionary(uniqueKeysWithValues: try await fixture.directory(title).map { ($0["serial"] ?? "", $0) })
        #expect(after[second.serial]?["supersededBy"] == third)
        #expect(after[third]?["current"] == "true")
        #expect(after.values.filter { $0["current"] == "true" }.count == 1)
        #expect(try await fixture.servedCRL().contains("Serial Number: \(second.serial)\n"))

        // The renewed certificate's answer lost: the same request with the now superseded certificate gets it again.
        let retried = try await fixture.curl(reenroll)
        #expect(retried.code == 200, "\(retried.body)")
        #expect(try await fixture.certificate(in: retried.body).serial == third)
        #expect(try await fixture.directory(title).count == 3)
    }
}
