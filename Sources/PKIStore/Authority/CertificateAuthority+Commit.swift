import Foundation
import GRDB
import PKI

/// A revocation to record together with the CRL that lists it.
package struct PendingRevocation: Sendable, Hashable {
    var serial: CertificateSerial
    var reason: CRLReason
    /// The certificate that supersedes the revoked one, for reason superseded.
    var supersededBy: CertificateSerial?
}

extension CertificateAuthority {
    /// Another process revoked or published between the snapshot and the transaction; the step starts over.
    private struct Conflict: Error {}

    static let commitAttempts = 20

    /// Records a change to the directory and the revocations that go with it in one transaction, and publishes
    /// the CRL that lists them as part of it: `crl.der` is replaced inside the transaction, before the commit,
    /// and a CRL that cannot be written rolls everything back. So a revocation is never in the database (and in
    /// OCSP) without being in the CRL, and a failure leaves nothing half-recorded.
    ///
    /// `plan` names the revocations, read from the database; `change` makes the rest of the change (record a
    /// certificate, use up a secret) inside the transaction and may throw to roll it all back. A CRL is signed
    /// when `plan` finds revocations or `publish` asks for one.
    ///
    /// Signing awaits the CA key, which may be on a token, and a GRDB transaction is one synchronous closure,
    /// so the CRL is signed first, from a snapshot (the revocations, `plan`'s answer, the CRL number). The
    /// transaction then checks the snapshot still holds; if another process revoked, published or gave `plan`
    /// another answer in between, the signed CRL is dropped unpublished and the step starts over. The CRL
    /// number is taken in the transaction, so CRLs reach `crl.der` in the order of their numbers.
    ///
    /// A commit that fails after `crl.der` was replaced (a full disk at the very end) leaves a CRL that lists
    /// more than the database: the safe side, where a retry of the same command revokes again.
    package func commit<T: Sendable>(
        now: Date, publish: Bool = false,
        plan: @escaping @Sendable (Database) throws -> [PendingRevocation],
        change: @escaping @Sendable (Database) throws -> T
    ) async throws -> (result: T, crl: [UInt8]?) {
        for _ in 0..<Self.commitAttempts {
            let snapshot = try await database.database.read { db in
                (planned: try plan(db), number: try Self.crlNumber(db), entries: try Self.revocationEntries(db))
            }
            var crl: [UInt8]?
            if publish || !snapshot.planned.isEmpty {
                let entries = snapshot.entries + snapshot.planned.map {
                    CertificateRevocationList.Entry(serial: $0.serial, date: now, reason: $0.reason)
                }
                crl = try await CertificateRevocationList.build(
                    issuer: certificate, key: key, number: snapshot.number + 1, thisUpdate: now,
                    nextUpdate: now.addingTimeInterval(TimeInterval(min(configuration.crlValidityHours, 24) * 3600)), entries: entries
                )
            }
            let crlPath = directory.crlPath
            do {
                let result = try await database.database.write { [crl] db in
                    guard try plan(db) == snapshot.planned else { throw Conflict() }
                    for revocation in snapshot.planned {
                        try db.execute(
                            sql: "UPDATE certificate SET revokedAt = ?, revocationReason = ?, supersededBy = ? WHERE serial = ? AND revokedAt IS NULL",
                            arguments: [now, revocation.reason.rawValue, revocation.supersededBy, revocation.serial]
                        )
                        guard db.changesCount == 1 else { throw Conflict() }
                    }
                    let result = try change(db)
                    if let crl {
                        try db.execute(sql: "UPDATE crlState SET number = ? WHERE id = 1 AND number = ?", arguments: [snapshot.number + 1, snapshot.number])
                        guard db.changesCount == 1 else { throw Conflict() }
                        try Self.write(crl, to: crlPath)
                    }
                    return result
                }
                return (result, crl)
            } catch is Conflict {
                continue
            }
        }
        throw PKIError.store("the directory changed under each of \(Self.commitAttempts) attempts to record the change; nothing was recorded, try again")
    }

    /// Replaces `crl.der` whole (a new file renamed over the old), so a reader never sees half a CRL.
    private static func write(_ crl: [UInt8], to path: String) throws(PKIError) {
        do {
            try TestHooks.failure(at: "crl-write")
            try Data(crl).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch let failure as TestHookFailure {
            throw .crlNotWritten(path: path, reason: failure.description)
        } catch {
            throw .crlNotWritten(path: path, reason: error.localizedDescription)
        }
    }

    /// The number of the CRL last published (0 before the first).
    static func crlNumber(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT number FROM crlState WHERE id = 1") ?? 0
    }

    static func revocationEntries(_ db: Database) throws -> [CertificateRevocationList.Entry] {
        try IssuedCertificate.filter(Column("revokedAt") != nil).order(Column("revokedAt")).fetchAll(db).compactMap { revoked in
            guard let date = revoked.revokedAt else { return nil }
            return CertificateRevocationList.Entry(serial: revoked.serial, date: date, reason: CRLReason(rawValue: revoked.revocationReason ?? 0) ?? .unspecified)
        }
    }

    static let nothingToRevoke: @Sendable (Database) throws -> [PendingRevocation] = { _ in [] }

    /// The revocations a new certificate for a device brings: every other certificate of its system title and
    /// profile that is not revoked yet is superseded by it.
    static func supersession(by issued: IssuedCertificate) -> @Sendable (Database) throws -> [PendingRevocation] {
        guard let title = issued.systemTitle else { return nothingToRevoke }
        let (profile, serial) = (issued.profile, issued.serial)
        return { db in
            try IssuedCertificate
                .filter(Column("systemTitle") == title && Column("profile") == profile && Column("revokedAt") == nil && Column("serial") != serial)
                .order(Column("issuedAt"), Column.rowID)
                .fetchAll(db)
                .map { PendingRevocation(serial: $0.serial, reason: .superseded, supersededBy: serial) }
        }
    }
}
