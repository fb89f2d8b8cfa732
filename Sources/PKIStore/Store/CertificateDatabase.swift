import PKI
import Foundation
import GRDB

/// The PKI's database (SQLite, in the PKI directory): issued certificates and the CRL counter. GRDB runs every
/// statement on its own queue, so async callers never block on the disk.
public final class CertificateDatabase: Sendable {
    let database: DatabaseQueue

    public init(path: String) throws(PKIError) {
        do {
            database = try DatabaseQueue(path: path)
            try Self.migrator.migrate(database)
        } catch {
            throw .store("cannot open \(path): \(error)")
        }
    }

    /// The schema's history; `package` so tests can build a database as an older release left it.
    package static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("certificates") { db in
            try db.create(table: "certificate") { t in
                t.primaryKey("serial", .text)
                t.column("subject", .text).notNull()
                t.column("commonName", .text).indexed()
                t.column("systemTitle", .text).indexed()
                t.column("profile", .text).notNull()
                t.column("notBefore", .datetime).notNull()
                t.column("notAfter", .datetime).notNull()
                t.column("issuedAt", .datetime).notNull()
                t.column("der", .blob).notNull()
                t.column("revokedAt", .datetime)
                t.column("revocationReason", .integer)
            }
            try db.create(table: "crlState") { t in
                t.primaryKey("id", .integer)
                t.column("number", .integer).notNull()
            }
            try db.execute(sql: "INSERT INTO crlState (id, number) VALUES (1, 0)")
        }
        migrator.registerMigration("registrations") { db in
            try db.create(table: "registration") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("systemTitle", .text).notNull().indexed()
                t.column("profile", .text).notNull()
                t.column("meterNumber", .text)
                t.column("secretSalt", .blob).notNull()
                t.column("secretHash", .blob).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("expiresAt", .datetime).notNull()
                t.column("usedAt", .datetime)
                t.column("issuedSerial", .text)
            }
        }
        migrator.registerMigration(CanonicalSerialMigration.identifier, migrate: CanonicalSerialMigration.migrate)
        return migrator
    }

    public func insert(_ certificate: IssuedCertificate) async throws {
        try await database.write { db in try certificate.insert(db) }
    }

    public func certificate(serial: CertificateSerial) async throws -> IssuedCertificate? {
        try await database.read { db in try IssuedCertificate.fetchOne(db, key: serial) }
    }

    public func certificates(systemTitle: String? = nil) async throws -> [IssuedCertificate] {
        try await database.read { db in
            var request = IssuedCertificate.order(Column("issuedAt"))
            if let systemTitle { request = request.filter(Column("systemTitle") == systemTitle.uppercased()) }
            return try request.fetchAll(db)
        }
    }

    public func revoked() async throws -> [IssuedCertificate] {
        try await database.read { db in
            try IssuedCertificate.filter(Column("revokedAt") != nil).order(Column("revokedAt")).fetchAll(db)
        }
    }

    /// Marks a certificate revoked; false when it already was.
    public func revoke(serial: CertificateSerial, at date: Date, reason: Int) async throws -> Bool {
        try await database.write { db in
            try db.execute(
                sql: "UPDATE certificate SET revokedAt = ?, revocationReason = ? WHERE serial = ? AND revokedAt IS NULL",
                arguments: [date, reason, serial]
            )
            return db.changesCount == 1
        }
    }

    /// The next CRL number (monotonic, RFC 5280 §5.2.3).
    public func nextCRLNumber() async throws -> Int {
        try await database.write { db in
            try db.execute(sql: "UPDATE crlState SET number = number + 1 WHERE id = 1")
            return try Int.fetchOne(db, sql: "SELECT number FROM crlState WHERE id = 1") ?? 1
        }
    }
}
