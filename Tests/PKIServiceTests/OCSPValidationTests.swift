import Foundation
import PKI
import PKIService
import PKIStore
import Signing
import TestSupport
import Testing
import Transport
import X509

/// The validation library in OCSP mode against pkid's endpoints, served in-process over loopback HTTP.
@Suite("Validation by OCSP against pkid")
struct OCSPValidationTests {
    @Test("valid while good, refused once revoked, refused when the responder is down (hard fail) unless soft")
    func ocspValidation() async throws {
        let directory = try temporaryDirectory("ocsp-validation")
        defer { try? FileManager.default.removeItem(at: directory) }
        // The CA must name its OCSP URL, so the port is reserved first with a server that is replaced below.
        let probe = try await HTTPServer(at: .tcp(host: "127.0.0.1", port: 0), tls: nil) { _, _ in .text(.ok, "") }
        let port = probe.port
        await probe.stop()

        let authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: directory.appendingPathComponent("pki").path), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=OCSP Validation Root"),
            validity: try Validity("5y"), url: "http://127.0.0.1:\(port)"
        )
        let device = try SoftwareSigner(generating: .ecdsa(.p256))
        let csr = try await CertificateRequests.make(signer: device, subject: try SubjectName.parse("CN=00DB1234567890E0"))
        let certificate = try await authority.issue(csr, profile: .sign, validity: try Validity("1y"))
        let service = PKIService(authority: authority, validity: try Validity("1y"))
        let server = try await HTTPServer(at: .tcp(host: "127.0.0.1", port: port), tls: nil, handler: service.handle)

        var policy = CertificateValidator.Policy()
        policy.revocation = .ocsp(HTTPOCSPRequester(timeouts: .patient))
        let validator = CertificateValidator(trustAnchors: [authority.certificate], policy: policy)
        #expect(await validator.validate(certificate, profile: .sign) == .valid(chain: [certificate, authority.certificate]))

        try await authority.revoke(serial: certificate.serialNumber.bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(), reason: .keyCompromise)
        guard case .invalid(let revoked) = await validator.validate(certificate, profile: .sign) else {
            Issue.record("a revoked certificate passed OCSP validation")
            return
        }
        guard case .revoked(let subject, let serial, _, _) = revoked else {
            Issue.record("a certificate revoked through OCSP refused as \(revoked)")
            return
        }
        #expect(subject == "CN=00DB1234567890E0")
        #expect(serial == CertificateSerial(certificate.serialNumber).description)
        #expect(!revoked.isRetryable)

        await server.stop()
        let fresh = try await authority.issue(csr, profile: .sign, validity: try Validity("1y"))
        guard case .invalid(let down) = await validator.validate(fresh, profile: .sign) else {
            Issue.record("validated with the responder down while failing closed")
            return
        }
        guard case .revocationStatusUnavailable(let subject, let detail) = down else {
            Issue.record("an unreachable responder refused the certificate as \(down), not as status unavailable")
            return
        }
        #expect(subject == "CN=00DB1234567890E0")
        #expect(detail.contains("no OCSP answer ("), "\(detail)")
        #expect(down.isRetryable, "a responder that is down is no verdict: hold and retry")
        var soft = policy
        soft.revocation = .ocsp(HTTPOCSPRequester(failClosed: false, timeouts: .patient))
        #expect(await CertificateValidator(trustAnchors: [authority.certificate], policy: soft).validate(fresh, profile: .sign).isValid)
    }
}
