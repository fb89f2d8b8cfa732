import PKI
import Foundation
import GRDB
import SQLiteFiles

/// The PKI's database (SQLite, in the PKI directory): issued certificates, registrations and the CRL counter.
///
/// pkid and every `gatewayctl ca`/`ra` command open this one file from their own processes, often at once. It
/// therefore runs in WAL mode, where readers never wait for the writer nor the writer for readers, and every
/// connection waits up to `busyTimeout` for the one write lock instead of failing at once with "database is
/// locked" (SQLite's default: 68 of 100 enrollments racing 20 registrations failed that way). Every change is one
/// short IMMEDIATE transaction with no signing inside (signing awaits the CA key on its token), so the lock is
/// held for milliseconds; only a process stuck inside a transaction for longer than the timeout makes another
/// fail, with "database is locked".
public final class CertificateDatabase: Sendable {
    let database: DatabasePool

    static let busyTimeout: TimeInterval = 30

    /// Opens the database at `path`, made when no file is there. An existing file that is empty, not SQLite or
    /// damaged is refused before anything writes to it (`ExistingDatabase`).
    public init(path: String) throws(PKIError) {
        do {
            try ExistingDatabase.check(path)
        } catch {
            throw .store("the PKI database \(error); it was not opened and nothing in it changed: restore it from a backup of the PKI directory (a CA cannot be rebuilt from an empty one)")
        }
        do {
            try NewDatabase.create(at: path)
        } catch {
            throw .store("the PKI database \(error)")
        }
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(Self.busyTimeout)
        do {
            database = try DatabasePool(path: path, configuration: configuration)
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
        migrator.registerMigration("supersession") { db in
            try db.alter(table: "certificate") { t in t.add(column: "supersededBy", .text) }
        }
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
            var request = IssuedCertificate.order(Column("issuedAt"), Column.rowID)
            if let systemTitle { request = request.filter(Column("systemTitle") == systemTitle.uppercased()) }
            return try request.fetchAll(db)
        }
    }

    public func revoked() async throws -> [IssuedCertificate] {
        try await database.read { db in
            try IssuedCertificate.filter(Column("revokedAt") != nil).order(Column("revokedAt")).fetchAll(db)
        }
    }
}
