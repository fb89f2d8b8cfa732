import COSEM
import Foundation
import PKI
import PKIStore
import Signing
import SwiftASN1
import TestSupport
import Testing
import X509

@Suite("Registration Authority: who asks is checked before anything is issued")
struct RegistrationTests {
    /// The CA's directory, removed when Swift Testing drops the suite instance after the test.
    let scratch: ScratchDirectory
    let ra: RegistrationAuthority
    let caKey: SoftwareSigner
    let title = try! SystemTitle(hex: "00DB1234567890A0")

    init() async throws {
        caKey = try SoftwareSigner(generating: .ecdsa(.p256))
        scratch = try ScratchDirectory("ra")
        let authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: scratch.path("pki")), keyURI: "software",
            signer: caKey, subject: try SubjectName.parse("CN=RA Test Root"),
            validity: try Validity("5y"), url: nil
        )
        ra = RegistrationAuthority(authority: authority)
    }

    func request(_ subject: String = "CN=00DB1234567890A0", key: KeyAlgorithm = .ecdsa(.p256)) async throws -> CertificateSigningRequest {
        try await CertificateRequests.make(signer: try SoftwareSigner(generating: key), subject: try SubjectName.parse(subject))
    }

    func issuedCount() async throws -> Int { try await ra.authority.database.certificates().count }

    func refusal(_ body: () async throws -> Certificate) async -> RegistrationAuthority.Refusal? {
        do {
            _ = try await body()
            return nil
        } catch let refusal as RegistrationAuthority.Refusal {
            return refusal
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("a registered device enrolls once with its secret; the secret is stored only as a hash")
    func enrollOnce() async throws {
        let (registration, secret) = try await ra.register(systemTitle: title, profile: .sign, meterNumber: "12345678", validFor: 3600)
        #expect(secret.count == 32)
        #expect(registration.secretHash.count == 32 && !registration.secretHash.contains(Data(secret.utf8)))
        let certificate = try await ra.enroll(systemTitle: "00db1234567890a0", secret: secret, csr: try await request(), validity: try Validity("1y"))
        #expect(SubjectName.commonName(of: certificate.subject) == "00DB1234567890A0")
        #expect(try await ra.authority.database.certificates(systemTitle: "00DB1234567890A0").count == 1)

        let again = await refusal { try await ra.enroll(systemTitle: "00DB1234567890A0", secret: secret, csr: try await request(), validity: try Validity("1y")) }
        #expect(again == .secretUsed)
        #expect(again?.httpStatus == 403)
        #expect(try await issuedCount() == 1)
    }

    @Test("wrong or expired secrets, a foreign subject, a bad signature, a disallowed key: refused, nothing issued")
    func refusals() async throws {
        let (_, secret) = try await ra.register(systemTitle: title, profile: .sign, meterNumber: nil, validFor: 3600)
        let validity = try Validity("1y")

        #expect(await refusal { try await ra.enroll(systemTitle: "00DB1234567890A0", secret: "WRONG", csr: try await request(), validity: validity) } == .unknownOrWrongSecret)
        #expect(await refusal { try await ra.enroll(systemTitle: "00DB1234567890A1", secret: secret, csr: try await request(), validity: validity) } == .unknownOrWrongSecret)
        #expect(await refusal { try await ra.enroll(systemTitle: "00DB1234567890A0", secret: secret, csr: try await request(), profile: .tls, validity: validity) } == .unknownOrWrongSecret)
        #expect(await refusal { try await ra.enroll(systemTitle: "00DB1234567890A0", secret: secret, csr: try await request("CN=00DB1234567890FF"), validity: validity) }
            == .subjectMismatch(expected: "00DB1234567890A0", got: "00DB1234567890FF"))

        var der = try derBytes(try await request())
        der[der.count - 3] ^= 0x01
        let forged = try CertificateSigningRequest(derEncoded: der)
        #expect(await refusal { try await ra.enroll(systemTitle: "00DB1234567890A0", secret: secret, csr: forged, validity: validity) } == .badSignature)

        var config = try ra.authority.directory.configuration()
        config.allowedKeyTypes = ["ec-p256"]
        let narrowed = try JSONEncoder().encode(config)
        try narrowed.write(to: URL(fileURLWithPath: ra.authority.directory.path + "/pki.json"))
        let strict = RegistrationAuthority(authority: try CertificateAuthority(directory: ra.authority.directory, signer: caKey))
        let p384 = await refusal { try await strict.enroll(systemTitle: "00DB1234567890A0", secret: secret, csr: try await request(key: .ecdsa(.p384)), validity: validity) }
        #expect(p384 == .keyTypeNotAllowed("ec-p384"))
        #expect(p384?.httpStatus == 400)
        #expect(try await issuedCount() == 0)

        let later = Date().addingTimeInterval(7200)
        #expect(await refusal { try await ra.enroll(systemTitle: "00DB1234567890A0", secret: secret, csr: try await request(), validity: validity, now: later) } == .secretExpired)
        #expect(try await issuedCount() == 0)
        // The refusals did not use the secret up.
        _ = try await ra.enroll(systemTitle: "00DB1234567890A0", secret: secret, csr: try await request(), validity: validity)
        #expect(try await issuedCount() == 1)
    }

    private func derBytes(_ csr: CertificateSigningRequest) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(csr)
        return serializer.serializedBytes
    }
}
