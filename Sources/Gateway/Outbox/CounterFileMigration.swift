import Foundation
import GRDB

/// Takes over the transaction counter file that `TransactionCounter` (and `gatewayctl record sign`) kept before the
/// outbox: a decimal number and a newline, the last id it handed out.
///
/// The head-end refuses a transaction id it has seen, so ids must go on above every id the file ever gave: the
/// outbox's next id becomes `max(file + 1, its own next)`, which never lowers it, in the same transaction that
/// records the file as migrated. A file is read once, on the first open that names it; after that it is left in
/// place and never read or written again, so nothing must keep signing with it (stop `gatewayctl record sign`
/// runs on that counter before the gateway first starts).
enum CounterFileMigration {
    /// Raises the next id above the file's value, once per file; a missing file is nothing to migrate.
    static func apply(_ db: Database, path: String, at date: Date) throws {
        let key = URL(fileURLWithPath: path).standardizedFileURL.path
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM counterFileMigration WHERE path = ?", arguments: [key]) == true { return }
        guard let value = try read(path) else { return }
        guard value < UInt64(Int64.max) else { throw OutboxError.exhausted }
        try db.execute(
            sql: "UPDATE outboxState SET nextTransactionID = MAX(nextTransactionID, ?) WHERE id = 1",
            arguments: [Int64(value) + 1]
        )
        try db.execute(
            sql: "INSERT INTO counterFileMigration (path, value, migratedAt) VALUES (?, ?, ?)",
            arguments: [key, Int64(value), date]
        )
    }

    /// The file's number, nil when there is no file. A file that holds anything else stops the gateway: guessing
    /// low could reuse ids, guessing high is not a guess the outbox should make for the operator.
    static func read(_ path: String) throws(OutboxError) -> UInt64? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .counterFile(path: path, reason: "it cannot be read")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = UInt64(text) else {
            throw .counterFile(path: path, reason: "it holds \"\(text.prefix(40))\", not a transaction id")
        }
        return value
    }
}
