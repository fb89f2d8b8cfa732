import Foundation
import Testing
import TestSupport

/// A revocation is in the CRL as soon as it is anywhere, as CRL and OCSP users and `gatewayctl ca show` see it.
@Suite("Revocations reach the CRL")
struct PKIRevocationTests {
    /// A device enrolled through pkid: its certificate as PEM, its key, its serial.
    func enrolled(_ fixture: PKIDFixture, _ title: String, profile: String = "sign") throws -> (pem: String, key: String, serial: String) {
        let secret = try fixture.register(title, profile: profile)
        let (csr, key) = try fixture.csr("/CN=\(title)")
        let answer = try fixture.enroll(title, secret: secret, csr: csr)
        guard answer.code == 200 else { throw TestSetupError("enrollment failed: \(answer.code) \(answer.body)") }
        let certificate = try fixture.certificate(in: answer.body)
        return (certificate.pem, key, certificate.serial)
    }

    @Test("ca revoke whose CRL cannot be written revokes nothing, in the directory, OCSP and the CRL alike; run again, it revokes")
    func failedCRLWrite() throws {
        let fixture = try PKIDFixture()
        let device = try enrolled(fixture, "00DB1234567890F1")
        let revoke = ["ca", "revoke", "--pki", fixture.pki, "--serial", device.serial, "--reason", "keyCompromise"]

        let failed = try fixture.gatewayctl(revoke, extra: ["PKI_TEST_FAIL_AT": "crl-write"])
        #expect(failed.status == 1)
        #expect(failed.stderr == "gatewayctl: cannot write the CRL to \(fixture.pki)/crl.der: crl-write failed by the test hook PKI_TEST_FAIL_AT; nothing was revoked or recorded: try again once the file can be written\n")
        #expect(!(try fixture.gatewayctl(["ca", "show", "--pki", fixture.pki, "--serial", device.serial]).output.contains("REVOKED")))
        #expect(try fixture.ocsp(device.pem).hasPrefix("\(device.pem): good\n"))
        #expect(!(try fixture.servedCRL().contains(device.serial)))

        let again = try fixture.gatewayctl(revoke)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try fixture.servedCRL().contains("Serial Number: \(device.serial)\n"))
        let ocsp = try fixture.ocsp(device.pem)
        #expect(ocsp.hasPrefix("\(device.pem): revoked\n") && ocsp.contains("Reason: keyCompromise"), "\(ocsp)")
    }
}
