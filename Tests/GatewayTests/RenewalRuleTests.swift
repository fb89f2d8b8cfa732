import Foundation
import Gateway
import PKI
import PKIStore
import Signing
import Testing
import TestSupport
import X509

/// The renewal rule gatewayd and `gatewayctl enroll renew` share, checked against dates the test works out itself:
/// a certificate valid 10 days is not due on day 6 and due on day 8 (70 % is day 7), so a rule at 100 % fails here.
@Suite("Renewal: due at 70 % of the lifetime")
struct RenewalRuleTests {
    @Test("a certificate valid 10 days is not due at day 6 and due at day 8, by default and at pki.renew_at 70%")
    func tenDays() async throws {
        let scratch = try ScratchDirectory("renewal-rule")
        let authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: scratch.path("pki")), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Renewal Test Root"),
            validity: try Validity("5y"), url: nil
        )
        let issued = Date(timeIntervalSince1970: 1_796_000_000)
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        let csr = try await CertificateRequests.make(signer: key, subject: try SubjectName.parse("CN=00DB1234567890A0"))
        let certificate = try await authority.issue(csr, profile: .sign, validity: try Validity("10d"), now: issued)
        let day = 86_400.0
        #expect(abs(certificate.notValidAfter.timeIntervalSince(issued) - 10 * day) < 1, "the certificate is valid 10 days")

        for rule in [RenewalRule(), RenewalRule(share: 0.7)] {
            #expect(!rule.isDue(certificate, at: issued.addingTimeInterval(6 * day)))
            #expect(rule.isDue(certificate, at: issued.addingTimeInterval(8 * day)))
            let due = rule.due(certificate)
            #expect(due > issued.addingTimeInterval(6 * day) && due < issued.addingTimeInterval(8 * day))
        }
        #expect(RenewalRule().percent == "70 %")
    }
}
