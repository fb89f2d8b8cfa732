import COSEM
import Foundation
import GRDB
import PKI
@testable import PKIStore
import Signing
import TestSupport
import Testing
import X509

/// A Central Directory written before serials had one form opens with every serial rewritten to the canonical
/// text, and then works as a new one: lookups, revocation, the CRL, OCSP, the RA's record of what it issued.
@Suite("The canonicalSerials migration: directories keyed the old way keep working")
struct SerialMigrationTests {
    let directory: URL
    let caKey: SoftwareSigner
    let authority: CertificateAuthority

    init() async throws {
        directory = try temporaryDirectory("migration")
        caKey = try SoftwareSigner(generating: .ecdsa(.p256))
        authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: directory.appendingPathComponent("pki").path), keyURI: "software",
            signer: caKey, subject: try SubjectName.parse("CN=Migration Root"), validity: try Validity("5y"), url: nil
        )
    }

    func issue(_ serial: [UInt8], title: String) async throws -> Certificate {
        let csr = try await CertificateRequests.make(signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=\(title)"))
        return try await authority.issue(csr, profile: .sign, validity: try Validity("1y"), serial: Certificate.SerialNumber(bytes: serial))
    }

    /// The database file as SQLite has it, bypassing the store (which would migrate it).
    func raw() throws -> DatabaseQueue { try DatabaseQueue(path: authority.directory.databasePath) }

    /// Makes the directory look as an older release left it: `keys` maps canonical serials to the text the old
    /// code stored, and the migration has not run.
    func age(_ keys: [String: String], issuedSerial: String? = nil) throws {
        try raw().write { db in
            for (canonical, old) in keys {
                try db.execute(sql: "UPDATE certificate SET serial = ? WHERE serial = ?", arguments: [old, canonical])
                #expect(db.changesCount == 1, "no row keyed \(canonical)")
            }
            if let issuedSerial { try db.execute(sql: "UPDATE registration SET issuedSerial = ?", arguments: [issuedSerial]) }
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [CanonicalSerialMigration.identifier])
        }
    }

    func storedKeys() throws -> Set<String> {
        Set(try raw().read { db in try String.fetchAll(db, sql: "SELECT serial FROM certificate") })
    }

    func reopen() throws -> CertificateAuthority {
        try CertificateAuthority(directory: authority.directory, signer: caKey)
    }

    @Test("00-padded and lower-case keys become canonical; lookups, revocation, CRL, OCSP and the RA's record all work")
    func rewritten() async throws {
        let high = try await issue([0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x42], title: "00DB1234567890A0")
        let small = try await issue([0x0A, 0x0B, 0x0C], title: "00DB1234567890A1")
        try await authority.revoke(serial: small.serial, reason: .keyCompromise)
        let ra = RegistrationAuthority(authority: authority)
        let title = try SystemTitle(hex: "00DB1234567890A2")
        let (_, secret) = try await ra.register(systemTitle: title, profile: .sign, meterNumber: nil, validFor: 3600)
        let csr = try await CertificateRequests.make(signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=00DB1234567890A2"))
        let enrolled = try await ra.enroll(systemTitle: "00DB1234567890A2", secret: secret, csr: csr, validity: try Validity("1y"))

        // The old forms: the DER INTEGER's content with its 00 (as the directory's doc promised), and lower case.
        try age(["8000000000000042": "008000000000000042", "0A0B0C": "0a0b0c"], issuedSerial: "00" + enrolled.serial.description.lowercased())
        #expect(try storedKeys().contains("008000000000000042"))

        let reopened = try reopen()
        // Every key as stored is the canonical text of the serial it reads as.
        #expect(try storedKeys() == Set(try await reopened.database.certificates().map(\.serial.description)))
        #expect(try storedKeys().isSuperset(of: ["8000000000000042", "0A0B0C", enrolled.serial.description]))
        #expect(!(try storedKeys().contains("008000000000000042")))

        let found = try await reopened.database.certificate(serial: high.serial)
        #expect(found?.der == Data(try derBytes(high)))
        #expect(try await reopened.database.certificate(serial: try CertificateSerial(parsing: "0a0b0c"))?.isRevoked == true)

        let issued = try await raw().read { db in try Registration.fetchAll(db) }.compactMap(\.issuedSerial)
        #expect(issued == [enrolled.serial])
        let issuedText = try await raw().read { db in try String.fetchAll(db, sql: "SELECT issuedSerial FROM registration WHERE issuedSerial IS NOT NULL") }
        #expect(issuedText == [enrolled.serial.description])

        let revokedAt = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        try await reopened.revoke(serial: high.serial, reason: .cessationOfOperation, now: revokedAt)
        let crl = try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: reopened.directory.crlPath))))
        #expect(crl.revocation(of: high)?.reason == .cessationOfOperation)
        #expect(crl.revocation(of: small)?.reason == .keyCompromise)
        #expect(crl.revocation(of: enrolled) == nil)
        #expect(try await reopened.revocationState(of: high.serial) == .revoked(at: revokedAt, reason: .cessationOfOperation))
        #expect(try await reopened.revocationState(of: enrolled.serial) == .good)

        // Opening again finds nothing left to do.
        let keys = try storedKeys()
        _ = try reopen()
        #expect(try storedKeys() == keys)
    }

    @Test("two rows holding one certificate stop the migration, naming both keys, and leave the file as it was")
    func collision() async throws {
        _ = try await issue([0x80, 0x01], title: "00DB1234567890A0")
        try await raw().write { db in
            try db.execute(sql: """
                INSERT INTO certificate (serial, subject, commonName, systemTitle, profile, notBefore, notAfter, issuedAt, der)
                SELECT '008001', subject, commonName, systemTitle, profile, notBefore, notAfter, issuedAt, der FROM certificate WHERE serial = '8001'
                """)
        }
        try age([:])
        let before = try storedKeys()
        do {
            _ = try reopen()
            Issue.record("a directory with two rows for serial 8001 opened")
        } catch let error as PKIError {
            guard case .store(let reason) = error else {
                Issue.record("not a store error: \(error)")
                return
            }
            #expect(reason.hasSuffix("rows keyed 8001 and 008001 both hold the certificate with serial 8001")
                || reason.hasSuffix("rows keyed 008001 and 8001 both hold the certificate with serial 8001"), "\(reason)")
        }
        #expect(try storedKeys() == before)
        #expect(try await raw().read { db in try Bool.fetchOne(db, sql: "SELECT COUNT(*) > 0 FROM grdb_migrations WHERE identifier = ?", arguments: [CanonicalSerialMigration.identifier]) } == false)
    }

    @Test("a row keyed with another serial than its certificate's stops the migration rather than being rekeyed")
    func mismatch() async throws {
        _ = try await issue([0x80, 0x01], title: "00DB1234567890A0")
        try age(["8001": "008002"])
        #expect(throws: PKIError.store("cannot open \(authority.directory.databasePath): the row keyed 008002 holds the certificate with serial 8001")) {
            _ = try reopen()
        }
    }

    @Test("a database created from scratch by the older migrations alone is migrated when the store opens it")
    func olderSchema() async throws {
        let high = try await issue([0xF0, 0x0D], title: "00DB1234567890A0")
        let der = try derBytes(high)
        let path = directory.appendingPathComponent("old.sqlite").path
        let old = try DatabaseQueue(path: path)
        try CertificateDatabase.migrator.migrate(old, upTo: "registrations")
        try await old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO certificate (serial, subject, profile, notBefore, notAfter, issuedAt, der, revokedAt, revocationReason)
                    VALUES ('00F00D', 'CN=00DB1234567890A0', 'sign', ?, ?, ?, ?, ?, 1)
                    """,
                arguments: [high.notValidBefore, high.notValidAfter, Date(), Data(der), Date()]
            )
        }
        try old.close()
        let store = try CertificateDatabase(path: path)
        #expect(try await store.certificate(serial: high.serial)?.der == Data(der))
        #expect(try await store.revoked().map(\.serial) == [high.serial])
    }
}
