import Foundation
import GRDB
import PKI
@testable import PKIStore
import Signing
import TestSupport
import Testing
import X509

/// A directory an older release left can hold a revocation its CRL lacks (the revocation was recorded, then
/// writing the CRL failed). Whatever reads the CRL next publishes one that lists it.
@Suite("The CRL is never older than the directory")
struct CRLConsistencyTests {
    let scratch: ScratchDirectory
    let authority: CertificateAuthority

    init() async throws {
        scratch = try ScratchDirectory("crl")
        authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: scratch.path("pki")), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=CRL Root"),
            validity: try Validity("5y"), url: nil
        )
    }

    func issue(_ title: String) async throws -> Certificate {
        let csr = try await CertificateRequests.make(signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=\(title)"))
        return try await authority.issue(csr, profile: .sign, validity: try Validity("1y"))
    }

    /// Revokes as the older release did when its CRL write failed: in the database only.
    func revokeInDatabaseOnly(_ certificate: Certificate) async throws {
        try await authority.database.database.write { db in
            try db.execute(sql: "UPDATE certificate SET revokedAt = ?, revocationReason = 1 WHERE serial = ?", arguments: [Date(), certificate.serial])
        }
    }

    func published() throws -> ParsedCRL {
        try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: authority.directory.crlPath))))
    }

    @Test("a second ca revoke of it answers already revoked and publishes it; the CRL pkid serves lists it too")
    func halfRecordedRevocation() async throws {
        let first = try await issue("00DB1234567890A0")
        try await revokeInDatabaseOnly(first)
        #expect(try published().revocation(of: first) == nil)
        await #expect(throws: PKIError.alreadyRevoked(first.serial)) {
            try await authority.revoke(serial: first.serial, reason: .keyCompromise)
        }
        #expect(try published().revocation(of: first)?.reason == .keyCompromise)

        let second = try await issue("00DB1234567890A1")
        try await revokeInDatabaseOnly(second)
        let served = try ParsedCRL(derEncoded: try await authority.currentCRL())
        #expect(served.revocation(of: second)?.reason == .keyCompromise)
        #expect(served.revocation(of: first) != nil)
        // A CRL that lists everything is served as it is, not signed anew.
        #expect(try ParsedCRL(derEncoded: try await authority.currentCRL()).number == served.number)
    }
}
