import Foundation
import PKI
import PKIStore
import Signing
import TestSupport
import Testing
import X509

/// The validation cache keeps a valid verdict only while nothing it rests on has changed.
@Suite("Validation cache: kept while its basis holds, never past a new CRL or a certificate's end")
struct ValidationCacheTests {
    let scratch: ScratchDirectory
    let authority: CertificateAuthority
    let certificate: Certificate

    init() async throws {
        scratch = try ScratchDirectory("validation-cache")
        authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: scratch.path("root")), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Cache Root"),
            validity: try Validity("10y"), url: nil
        )
        let csr = try await CertificateRequests.make(signer: try SoftwareSigner(generating: .ecdsa(.p256)),
                                                     subject: try SubjectName.parse("CN=00DB1234567890A0"))
        certificate = try await authority.issue(csr, profile: .sign, validity: try Validity("1d"))
    }

    func crl() throws -> ParsedCRL {
        try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: authority.directory.crlPath))))
    }

    @Test("a valid verdict is kept; a revocation in a new CRL is seen at once")
    func newCRL() async throws {
        let cache = ValidationCache()
        let validator = CertificateValidator(trustAnchors: [authority.certificate], crls: [try crl()], cache: cache)
        #expect(await validator.validate(certificate, profile: .sign).isValid)
        #expect(cache.count == 1)
        #expect(await validator.validate(certificate, profile: .sign).isValid)

        try await authority.revoke(serial: CertificateSerial(certificate.serialNumber), reason: .keyCompromise)
        let after = CertificateValidator(trustAnchors: [authority.certificate], crls: [try crl()], cache: cache)
        guard case .invalid(.revoked) = await after.validate(certificate, profile: .sign) else {
            Issue.record("a certificate revoked in the current CRL passed from the cache")
            return
        }
    }

    @Test("a kept verdict is not used for another profile, past the certificate's end, or with other trust anchors")
    func limits() async throws {
        let cache = ValidationCache(timeToLive: 60)
        let validator = CertificateValidator(trustAnchors: [authority.certificate], crls: [try crl()], cache: cache)
        let now = Date()
        #expect(await validator.validate(certificate, profile: .sign, at: now).isValid)
        #expect(await !validator.validate(certificate, profile: .tls, at: now).isValid)
        #expect(await !validator.validate(certificate, profile: .sign, at: certificate.notValidAfter.addingTimeInterval(1)).isValid)
        // The trust anchors are part of what a verdict rests on: without them the certificate is checked afresh.
        let otherAnchors = CertificateValidator(trustAnchors: [], crls: [try crl()], cache: cache)
        #expect(await !otherAnchors.validate(certificate, profile: .sign, at: now).isValid)
        #expect(await validator.validate(certificate, profile: .sign, at: now.addingTimeInterval(30)).isValid)
    }

    @Test("a verdict kept without a revocation check never serves a validator that checks revocation")
    func revocationSettings() async throws {
        let cache = ValidationCache()
        var unchecked = CertificateValidator(trustAnchors: [authority.certificate], cache: cache)
        unchecked.policy.revocation = .none
        #expect(await unchecked.validate(certificate, profile: .sign).isValid)
        #expect(cache.count == 1)
        // No CRL at hand, failing closed: revocation status unavailable, whatever was kept without it.
        let checked = CertificateValidator(trustAnchors: [authority.certificate], crls: [], cache: cache)
        #expect(await !checked.validate(certificate, profile: .sign).isValid)
    }

    @Test("a certificate with another's serial, subject and key, from a CA not trusted, gets nothing of the first one's verdict")
    func sameSerialOtherIssuer() async throws {
        let other = try await CertificateAuthority.create(
            directory: PKIDirectory(path: scratch.path("other")), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Cache Root"),
            validity: try Validity("10y"), url: nil
        )
        let csr = try await CertificateRequests.make(signer: try SoftwareSigner(generating: .ecdsa(.p256)),
                                                     subject: try SubjectName.parse("CN=00DB1234567890A1"))
        let serial = Certificate.SerialNumber(bytes: [0x5A, 0x17, 0x00, 0x01])
        let trusted = try await authority.issue(csr, profile: .sign, validity: try Validity("1d"), serial: serial)
        let untrusted = try await other.issue(csr, profile: .sign, validity: try Validity("1d"), serial: serial)
        #expect(trusted.issuer == untrusted.issuer && trusted.serialNumber == untrusted.serialNumber && trusted.publicKey == untrusted.publicKey)

        let cache = ValidationCache()
        let validator = CertificateValidator(trustAnchors: [authority.certificate], crls: [try crl()], cache: cache)
        #expect(await validator.validate(trusted, profile: .sign).isValid)
        #expect(cache.count == 1)
        #expect(await !validator.validate(untrusted, profile: .sign).isValid)
    }
}
