import COSEM
import Foundation
import GRDB
import PKI
@testable import PKIStore
import Signing
import TestSupport
import Testing
import X509

/// One secret gives one certificate, however enrollments and database handles crowd in on it; a retry gets the
/// certificate that was recorded; a new enrollment supersedes the old certificate. Real SQLite files, a
/// software CA key.
@Suite("Enrollment: one secret, one certificate, under concurrency and retries")
struct EnrollmentConsistencyTests {
    let scratch: ScratchDirectory
    let authority: CertificateAuthority
    let title = try! SystemTitle(hex: "00DB1234567890A0")

    init() async throws {
        scratch = try ScratchDirectory("enrollment")
        authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: scratch.path("pki")), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Enrollment Root"),
            validity: try Validity("5y"), url: nil
        )
    }

    func request(_ subject: String = "CN=00DB1234567890A0") async throws -> CertificateSigningRequest {
        try await CertificateRequests.make(signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse(subject))
    }

    func outcome(_ body: () async throws -> Certificate) async -> Result<Certificate, Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    @Test("one secret, twelve enrollments at once with twelve keys, all past their checks: one certificate, eleven refused as used")
    func raceOnOneSecret() async throws {
        var ra = RegistrationAuthority(authority: authority)
        let (_, secret) = try await ra.register(systemTitle: title, profile: .sign, meterNumber: nil, validFor: 3600)
        // Every enrollment waits after its checks until all twelve have passed them: only the claim itself can
        // then keep the other eleven from getting a certificate.
        let barrier = Barrier(count: 12)
        ra.pause = { step in if step == .checked { await barrier.arrive() } }
        var requests: [CertificateSigningRequest] = []
        for _ in 0..<12 { requests.append(try await request()) }
        let validity = try Validity("1y")
        let outcomes = await withTaskGroup(of: Result<Certificate, Error>.self) { group in
            for csr in requests {
                group.addTask { [ra] in
                    await outcome { try await ra.enroll(systemTitle: "00DB1234567890A0", secret: secret, csr: csr, validity: validity) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let issued = outcomes.compactMap { try? $0.get() }
        #expect(issued.count == 1)
        let refusals = outcomes.compactMap { outcome -> String? in
            guard case .failure(let error) = outcome else { return nil }
            return (error as? RegistrationAuthority.Refusal).map { "\($0)" } ?? "unexpected: \(error)"
        }
        #expect(refusals == Array(repeating: RegistrationAuthority.Refusal.secretUsed.description, count: 11))
        #expect(try await authority.database.certificates(systemTitle: "00DB1234567890A0").map(\.serial) == issued.map(\.serial))
    }

    @Test("eight handles on one database file, as eight processes hold it, register forty devices at once: none fails")
    func manyHandles() async throws {
        let path = authority.directory.databasePath
        let failures = await withTaskGroup(of: [String].self) { group in
            for handle in 0..<8 {
                group.addTask {
                    var failures: [String] = []
                    do {
                        let database = try CertificateDatabase(path: path)
                        for device in 0..<5 {
                            let title = try SystemTitle(hex: String(format: "00DB12345678%02X%02X", handle, device))
                            do {
                                _ = try await RegistrationAuthority.register(in: database, systemTitle: title, profile: .sign, meterNumber: nil, validFor: 3600)
                            } catch {
                                failures.append("\(title): \(error)")
                            }
                        }
                    } catch {
                        failures.append("handle \(handle): \(error)")
                    }
                    return failures
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(failures == [])
        #expect(try await authority.database.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM registration") } == 40)
    }

    @Test("a device that never got its answer asks again with the same key and gets the same certificate; another key is refused as used")
    func redelivery() async throws {
        let ra = RegistrationAuthority(authority: authority)
        let (_, secret) = try await ra.register(systemTitle: title, profile: .sign, meterNumber: nil, validFor: 3600)
        let csr = try await request()
        let validity = try Validity("1y")
        let first = try await ra.enroll(systemTitle: "00DB1234567890A0", secret: secret, csr: csr, validity: validity)
        let again = await outcome { try await ra.enroll(systemTitle: "00DB1234567890A0", secret: secret, csr: csr, validity: validity) }
        #expect(try again.get() == first)
        let other = await outcome { try await ra.enroll(systemTitle: "00DB1234567890A0", secret: secret, csr: try await request(), validity: validity) }
        #expect((other.failure as? RegistrationAuthority.Refusal) == .secretUsed)
        #expect(try await authority.database.certificates(systemTitle: "00DB1234567890A0").map(\.serial) == [first.serial])
    }

    @Test("a CSR whose CN is the system title in lower case gets a certificate with the canonical upper-case CN")
    func lowerCaseCommonName() async throws {
        let ra = RegistrationAuthority(authority: authority)
        let (_, secret) = try await ra.register(systemTitle: title, profile: .sign, meterNumber: nil, validFor: 3600)
        let enrolled = try await ra.enroll(systemTitle: "00db1234567890a0", secret: secret, csr: try await request("CN=00db1234567890a0"), validity: try Validity("1y"))
        #expect(SubjectName.commonName(of: enrolled.subject) == "00DB1234567890A0")
        #expect(try await authority.database.certificate(serial: enrolled.serial)?.subject == "CN=00DB1234567890A0")

        let issued = try await authority.issue(try await request("CN=00db1234567890b0,O=Utility"), profile: .sign, validity: try Validity("1y"))
        #expect("\(issued.subject)" == "CN=00DB1234567890B0,O=Utility")
    }

    @Test("enrolling again supersedes the device's earlier certificate of that profile: revoked as superseded in the CRL and to OCSP")
    func supersede() async throws {
        let ra = RegistrationAuthority(authority: authority)
        let validity = try Validity("1y")
        func enroll(_ profile: CertificateProfile) async throws -> Certificate {
            let (_, secret) = try await ra.register(systemTitle: title, profile: profile, meterNumber: nil, validFor: 3600)
            return try await ra.enroll(systemTitle: "00DB1234567890A0", secret: secret, csr: try await request(), validity: validity)
        }
        let first = try await enroll(.sign)
        let tls = try await enroll(.tls)
        let second = try await enroll(.sign)

        let crl = try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: authority.directory.crlPath))))
        #expect(crl.revocation(of: first)?.reason == .superseded)
        #expect(crl.revocation(of: second) == nil)
        #expect(crl.revocation(of: tls) == nil, "a tls certificate does not supersede a sign certificate")
        guard case .revoked(_, let reason) = try await authority.revocationState(of: first.serial) else {
            Issue.record("the superseded certificate is still good to OCSP")
            return
        }
        #expect(reason == .superseded)
        #expect(try await authority.revocationState(of: second.serial) == .good)
        #expect(try await authority.revocationState(of: tls.serial) == .good)
    }
}

/// Holds every caller until `count` have arrived (or ten seconds have passed, so a test that goes wrong fails
/// rather than hangs).
actor Barrier {
    let count: Int
    private var arrived = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(count: Int) { self.count = count }

    func arrive() async {
        arrived += 1
        if arrived == 1 {
            Task {
                try? await Task.sleep(for: .seconds(10))
                await self.release()
            }
        }
        if arrived >= count {
            release()
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        waiting.forEach { $0.resume() }
        waiting = []
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
