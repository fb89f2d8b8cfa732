import Foundation
import PKI
import PKIStore
import Signing
import TestSupport
import Testing
import X509

/// The validation library on a PKI made with software keys (the PKI code is the same with a token key; the
/// CLI tests use SoftHSM).
@Suite("Certificate validation: chain, profile, validity, revocation by CRL")
struct ValidationTests {
    /// This test's PKIs, removed when Swift Testing drops the suite instance after the test.
    let scratch: ScratchDirectory
    var directory: URL { scratch.url }
    let authority: CertificateAuthority
    let device: SoftwareSigner
    let signCertificate: Certificate

    init() async throws {
        scratch = try ScratchDirectory("pki")
        let directory = scratch.url
        authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: directory.appendingPathComponent("root").path), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Test Root"),
            validity: try Validity("10y"), url: "http://127.0.0.1:1"
        )
        device = try SoftwareSigner(generating: .ecdsa(.p256))
        let csr = try await CertificateRequests.make(signer: device, subject: try SubjectName.parse("CN=00DB1234567890A0"))
        signCertificate = try await authority.issue(csr, profile: .sign, validity: try Validity("2y"))
    }

    func crl() throws -> ParsedCRL {
        try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: authority.directory.crlPath))))
    }

    func validator(crls: [ParsedCRL]? = nil, policy: CertificateValidator.Policy = .init()) throws -> CertificateValidator {
        CertificateValidator(trustAnchors: [authority.certificate], crls: try crls ?? [crl()], policy: policy)
    }

    @Test("a certificate issued for its profile, with a current CRL, is valid with its chain")
    func valid() async throws {
        let result = try await validator().validate(signCertificate, profile: .sign)
        #expect(result == .valid(chain: [signCertificate, authority.certificate]))
    }

    @Test("the wrong profile, another root, an expired certificate: each refused with its own reason")
    func refusals() async throws {
        guard case .invalid(let profile) = try await validator().validate(signCertificate, profile: .tls) else {
            Issue.record("a signing certificate passed as TLS")
            return
        }
        #expect(profile == .wrongProfile(subject: "CN=00DB1234567890A0", expected: .tls, detail: "its extended key usage lacks serverAuth or clientAuth"))
        #expect(profile.description == "certificate of CN=00DB1234567890A0 is not a tls certificate: its extended key usage lacks serverAuth or clientAuth")
        #expect(!profile.isRetryable)

        let other = try await CertificateAuthority.create(
            directory: PKIDirectory(path: directory.appendingPathComponent("other").path), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Other Root"),
            validity: try Validity("1y"), url: nil
        )
        let stranger = CertificateValidator(trustAnchors: [other.certificate], crls: [])
        guard case .invalid(let untrusted) = await stranger.validate(signCertificate, profile: .sign) else {
            Issue.record("a certificate of another PKI was trusted")
            return
        }
        guard case .untrustedChain(let subject, _) = untrusted else {
            Issue.record("another PKI's certificate refused as \(untrusted), not as an untrusted chain")
            return
        }
        #expect(subject == "CN=00DB1234567890A0")
        #expect(untrusted.description.hasPrefix("certificate of CN=00DB1234567890A0 is not trusted: "))
        #expect(!untrusted.isRetryable)

        let later = Date().addingTimeInterval(3 * 365 * 86400)
        var noRevocation = CertificateValidator.Policy()
        noRevocation.revocation = .none
        guard case .invalid(let expired) = try await validator(policy: noRevocation).validate(signCertificate, profile: .sign, at: later) else {
            Issue.record("an expired certificate passed")
            return
        }
        #expect(expired == .expired(subject: "CN=00DB1234567890A0", notAfter: signCertificate.notValidAfter))
        #expect(expired.description.hasPrefix("certificate of CN=00DB1234567890A0 expired at "))
        guard case .invalid(let early) = try await validator(policy: noRevocation).validate(signCertificate, profile: .sign, at: Date(timeIntervalSince1970: 0)) else {
            Issue.record("a certificate passed before its notBefore")
            return
        }
        #expect(early == .notYetValid(subject: "CN=00DB1234567890A0", notBefore: signCertificate.notValidBefore))
    }

    @Test("revoked, no CRL, a stale CRL: refused (fail closed); grace and fail-open are configurable")
    func revocation() async throws {
        try await authority.revoke(serial: signCertificate.serialNumber.bytes.hexString, reason: .keyCompromise)
        guard case .invalid(let revoked) = try await validator().validate(signCertificate, profile: .sign) else {
            Issue.record("a revoked certificate passed")
            return
        }
        guard case .revoked(let subject, let serial, let date, let reason) = revoked else {
            Issue.record("a revoked certificate refused as \(revoked)")
            return
        }
        #expect(subject == "CN=00DB1234567890A0")
        #expect(serial == CertificateSerial(signCertificate.serialNumber).description)
        #expect(reason == .keyCompromise)
        #expect(date.map { abs($0.timeIntervalSinceNow) < 600 } == true)
        #expect(!revoked.isRetryable, "a revocation is a verdict, not something to retry")
        #expect(revoked.description.hasPrefix("certificate \(CertificateSerial(signCertificate.serialNumber)) of CN=00DB1234567890A0 was revoked on "))
        #expect(revoked.description.hasSuffix("(keyCompromise)"))

        let csr = try await CertificateRequests.make(signer: device, subject: try SubjectName.parse("CN=00DB1234567890A0"))
        let fresh = try await authority.issue(csr, profile: .sign, validity: try Validity("1y"))
        guard case .invalid(let missing) = try await validator(crls: []).validate(fresh, profile: .sign) else {
            Issue.record("validated without a CRL while failing closed")
            return
        }
        #expect(missing == .revocationStatusUnavailable(subject: "CN=00DB1234567890A0", detail: "no CRL from CN=Test Root; fetch the issuer's CRL"))
        #expect(missing.isRetryable, "no CRL at hand is no verdict: the receiver holds the frame and retries")
        var open = CertificateValidator.Policy()
        open.failClosed = false
        #expect(try await validator(crls: [], policy: open).validate(fresh, profile: .sign).isValid)

        let dayAfter = Date().addingTimeInterval(25 * 3600)
        guard case .invalid(let stale) = try await validator().validate(fresh, profile: .sign, at: dayAfter) else {
            Issue.record("a stale CRL was accepted")
            return
        }
        guard case .revocationStatusUnavailable(_, let detail) = stale else {
            Issue.record("a stale CRL refused as \(stale)")
            return
        }
        #expect(detail.hasPrefix("the CRL from CN=Test Root expired at "))
        #expect(stale.isRetryable)
        var grace = CertificateValidator.Policy()
        grace.staleCRLGrace = 2 * 3600
        #expect(try await validator(policy: grace).validate(fresh, profile: .sign, at: dayAfter).isValid)
    }

    @Test("superseded, affiliation changed, cessation: what was signed before the revocation date still verifies; compromise reaches back",
          arguments: CRLReason.allCases)
    func revocationReachingBack(reason: CRLReason) async throws {
        let revokedAt = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        try await authority.revoke(serial: CertificateSerial(signCertificate.serialNumber), reason: reason, now: revokedAt)
        let validator = try validator()
        let forgiving: Set<CRLReason> = [.superseded, .affiliationChanged, .cessationOfOperation]
        let before = await validator.validate(signCertificate, profile: .sign, signedAt: revokedAt.addingTimeInterval(-60))
        let after = await validator.validate(signCertificate, profile: .sign, signedAt: revokedAt.addingTimeInterval(60))
        let undated = await validator.validate(signCertificate, profile: .sign)
        // The CRL says the second only: a frame signed within it may have come before the revocation.
        let sameSecond = await validator.validate(signCertificate, profile: .sign, signedAt: revokedAt.addingTimeInterval(0.5))
        #expect(sameSecond.isValid == forgiving.contains(reason), "signed within the second of a revocation for \(reason)")
        #expect(before.isValid == forgiving.contains(reason), "signed a minute before a revocation for \(reason)")
        #expect(after.failure?.isRetryable == false, "signed a minute after a revocation for \(reason): \(after)")
        #expect(!undated.isValid, "a revoked certificate checked for now (a TLS peer) passed for \(reason)")
    }

    @Test("a verdict that rests on the signing time is not kept for the next check")
    func revokedPassIsNotCached() async throws {
        let revokedAt = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        try await authority.revoke(serial: CertificateSerial(signCertificate.serialNumber), reason: .superseded, now: revokedAt)
        var validator = try validator()
        validator.cache = ValidationCache()
        #expect(await validator.validate(signCertificate, profile: .sign, signedAt: revokedAt.addingTimeInterval(-60)).isValid)
        #expect(!(await validator.validate(signCertificate, profile: .sign, signedAt: revokedAt.addingTimeInterval(60)).isValid))
        #expect(!(await validator.validate(signCertificate, profile: .sign).isValid))
    }

    @Test("a CRL reads back as written; a CRL signed by another key or a mangled one is refused, never a crash")
    func crlParsing() async throws {
        try await authority.revoke(serial: signCertificate.serialNumber.bytes.hexString, reason: .superseded)
        let parsed = try crl()
        #expect(parsed.number == 2)
        #expect(parsed.issuer == authority.certificate.subject)
        #expect(parsed.revocation(of: signCertificate)?.reason == .superseded)
        #expect(parsed.isSigned(by: authority.certificate))
        #expect(!parsed.isSigned(by: signCertificate))

        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: authority.directory.crlPath)))
        for cut in stride(from: 0, to: bytes.count, by: 7) {
            #expect(throws: PKIError.self) { try ParsedCRL(derEncoded: Array(bytes.prefix(cut))) }
        }
        // Every byte changed in its lowest and its highest bit: whatever still parses must not verify. (Random
        // positions once let the signature's unused-bits count through in one run of many.)
        var parsedMutants = 0
        for index in bytes.indices {
            for flip: UInt8 in [0x01, 0x80] {
                var mangled = bytes
                mangled[index] ^= flip
                if let parsed = try? ParsedCRL(derEncoded: mangled) {
                    parsedMutants += 1
                    #expect(!parsed.isSigned(by: authority.certificate), "byte \(index) ^ \(flip) still verifies")
                }
            }
        }
        // The signature check must have run: changes inside names, dates and the signature still parse.
        #expect(parsedMutants > bytes.count / 4, "only \(parsedMutants) mutants parsed; the signature check barely ran")
    }

    @Test("an RSA CA works the same way")
    func rsa() async throws {
        let rsa = try await CertificateAuthority.create(
            directory: PKIDirectory(path: directory.appendingPathComponent("rsa").path), keyURI: "software",
            signer: try SoftwareSigner(generating: .rsa(bits: 2048)), subject: try SubjectName.parse("CN=RSA Root"),
            validity: try Validity("1y"), url: nil
        )
        let key = try SoftwareSigner(generating: .rsa(bits: 2048))
        let csr = try await CertificateRequests.make(signer: key, subject: try SubjectName.parse("CN=00DB1234567890B0"))
        let certificate = try await rsa.issue(csr, profile: .tls, validity: try Validity("1y"))
        let crl = try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: rsa.directory.crlPath))))
        #expect(await CertificateValidator(trustAnchors: [rsa.certificate], crls: [crl]).validate(certificate, profile: .tls).isValid)
    }
}
