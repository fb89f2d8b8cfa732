import Foundation
import Testing
import TestSupport

/// pkid SIGKILLed in the middle of an enrollment, at each of its steps (held there by the debug-only test hook
/// PKID_TEST_PAUSE_AT, see Sources/PKIStore/TestHooks.swift). Whatever the kill left behind, the device's retry
/// with its secret and its key gets a certificate, and it is the only one the directory holds for the device.
@Suite("pkid killed in the middle of an enrollment")
struct PKIDCrashTests {
    @Test("SIGKILL at an enrollment step, then the device's retry gets the directory's only certificate for it",
          arguments: ["checked", "before-record", "after-record"])
    func killedMidEnrollment(step: String) async throws {
        let fixture = try await PKIDFixture(environment: ["PKID_TEST_PAUSE_AT": step])
        let title = "00DB1234567890E1"
        let secret = try await fixture.register(title)
        let csr = try await fixture.csr("/CN=\(title)").csr

        // A child task: a wait or restart that throws takes it down with the test instead of leaving it running.
        async let attempt = fixture.enroll(title, secret: secret, csr: csr)
        _ = try await fixture.pkid.waitForLine(containing: "test hook: paused at \(step)", timeout: 30)
        try await fixture.restart()
        let lost = try await attempt
        #expect(lost.code == 0, "the killed pkid answered: \(lost.code) \(lost.body)")

        let retry = try await fixture.enroll(title, secret: secret, csr: csr)
        #expect(retry.code == 200, "\(retry.body)")
        guard retry.code == 200 else { return }
        let delivered = try await fixture.certificate(in: retry.body)
        #expect(try await fixture.directory(title).map { $0["serial"] } == [delivered.serial])
        // The same retry again (the answer lost once more) still gets that certificate.
        let twice = try await fixture.enroll(title, secret: secret, csr: csr)
        #expect(twice.code == 200)
        #expect(try await fixture.certificate(in: twice.body).serial == delivered.serial)

        let otherKey = try await fixture.enroll(title, secret: secret, csr: try fixture.csr("/CN=\(title)").csr)
        #expect(otherKey.code == 403)
        #expect(otherKey.body == "this enrollment secret was already used; register the device again for a new one")
        #expect(try await fixture.directory(title).count == 1)
    }
}
