import COSEM
import Foundation
import Gateway
import Logging
import Metering
import PKI
import Signing
import Testing
import TestSupport
import Transport
import X509

/// gatewayd's renewal against a real pkid: both certificates re-enrolled through EST with the same keys once due,
/// swapped into the running credentials, stored (on the token, in gatewayd), and nothing done before they are due.
@Suite("Certificate renewal at 70 % of the lifetime")
struct RenewalTests {
    static let gateway = "00DB1234567890A0"

    @Test("a due certificate is renewed with the same key and swapped in; one not due is left alone")
    func renewal() async throws {
        let fixture = try await PKIDFixture()
        let anchors = try PEMOrDER.certificates(Array(try Data(contentsOf: URL(fileURLWithPath: fixture.pki + "/ca.pem"))))
        let est = try ESTClient(url: fixture.url, trustRoots: anchors)
        func enrolled(_ key: SoftwareSigner, _ profile: CertificateProfile) async throws -> Certificate {
            let csr = try await CertificateRequests.make(signer: key, subject: try SubjectName.parse("CN=\(Self.gateway)"))
            return try await est.simpleEnroll(csr, systemTitle: Self.gateway, secret: try fixture.register(Self.gateway, profile: profile.rawValue), profile: profile)
        }
        let signingKey = try SoftwareSigner(generating: .ecdsa(.p256))
        let tlsKey = try SoftwareSigner(generating: .ecdsa(.p256))
        let signing = try await enrolled(signingKey, .sign)
        let tls = try await enrolled(tlsKey, .tls)
        let credentials = try GatewayCredentials(
            recordSigner: try RecordSigner(signer: signingKey, certificate: signing, originator: try SystemTitle(hex: Self.gateway),
                                           recipient: try SystemTitle(hex: "48454144454E4401")),
            tlsKey: tlsKey, tlsCertificate: tls, trustAnchors: anchors
        )
        let stored = StoredCertificates()
        let renewal = CertificateRenewal(est: est, credentials: credentials, renewAt: 0.7, status: StatusBoard(path: nil),
                                         logger: Logger(label: "renewal-test")) { certificate, role in await stored.add(certificate, role) }

        // Dates worked out here, not by the rule under test: the share `tenths` of each certificate's own lifetime,
        // taken for the later one, so no allowance for the time between the two enrollments is needed.
        func at(_ tenths: Double) -> Date {
            [signing, tls].map { $0.notValidBefore.addingTimeInterval($0.notValidAfter.timeIntervalSince($0.notValidBefore) * tenths / 10) }.max()!
        }
        await renewal.renewDue(now: Date())
        await renewal.renewDue(now: at(6))
        #expect(await stored.count == 0)
        #expect(credentials.signingCertificate == signing)

        await renewal.renewDue(now: at(8))
        #expect(await stored.count == 2)
        let renewedSigning = credentials.signingCertificate
        let renewedTLS = credentials.tlsCertificate
        #expect(renewedSigning.serialNumber != signing.serialNumber && renewedTLS.serialNumber != tls.serialNumber)
        #expect(renewedSigning.publicKey == signing.publicKey && renewedTLS.publicKey == tls.publicKey)
        #expect(CertificateProfile.sign.mismatch(renewedSigning) == nil && CertificateProfile.tls.mismatch(renewedTLS) == nil)
        // The record signer signs with the new certificate's info from now on.
        let frame = try await credentials.recordSigner.sign(dataNotification: [0x0F, 0, 0, 0, 1, 0x0C, 0x09, 0], transactionID: 1)
        let decoded = try GeneralSigning(decoding: frame.bytes)
        #expect(try CertificateInfo(derEncoded: decoded.otherInformation).serial == CertificateSerial(renewedSigning.serialNumber))
        await est.shutdown()
    }
}

actor StoredCertificates {
    var certificates: [(Certificate, CertificateRenewal.Role)] = []
    var count: Int { certificates.count }
    func add(_ certificate: Certificate, _ role: CertificateRenewal.Role) { certificates.append((certificate, role)) }
}
