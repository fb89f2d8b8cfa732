import Foundation
import GRDB
import Metering

/// Why the outbox could not do what was asked. Each description names the cause and what an operator does about
/// it: the gateway logs them as they are, and none of them is worked around silently, because the outbox is where
/// a reading that has not reached the head-end lives, and a workaround that guesses could lose one.
public enum OutboxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// SQLite cannot open the file at all (no such directory, a directory in its place, no permission).
    case unreadable(path: String, reason: String)
    /// Another connection held the write lock for longer than the busy timeout: usually a second gateway on the
    /// same file.
    case locked(path: String)
    /// The file is not an SQLite database, or its pages are damaged (found before anything wrote to it).
    case corrupt(path: String, reason: String)
    /// The file exists and is empty (0 bytes): a truncated file or a failed restore, never taken for a new outbox,
    /// which would number readings from 1 again.
    case empty(path: String)
    /// A write failed: the disk is full, read-only, or failing. The reading or change was not stored.
    case unwritable(path: String, reason: String)
    /// A newer release wrote this outbox; this one does not know its schema and would misread it.
    case newerSchema(path: String)
    /// The outbox holds `limit` readings already; the new reading was refused (and counted, see `OutboxGap`).
    case full(depth: Int, limit: Int)
    /// The outbox's file holds `maxBytes` already (`outbox.max_bytes`); the new reading was refused and counted as
    /// for `full`.
    case tooLarge(bytes: Int, maxBytes: Int)
    /// No reading with this transaction id was ever taken from this outbox.
    case unknownTransaction(UInt64, next: UInt64)
    /// The reading was delivered and removed; its frame can no longer change.
    case alreadyDelivered(UInt64)
    /// An acknowledgement for a reading that has no signed frame yet, so none was ever sent.
    case notSigned(UInt64)
    /// The reading has a signed frame already, which may have been sent; a second, different one is refused.
    case alreadySigned(UInt64)
    /// The frame given for a reading does not carry that reading under that transaction id.
    case frameMismatch(UInt64, reason: String)
    /// The caller's closure could not build the record, or built it for another transaction id.
    case invalidRecord(Metering.RecordError)
    /// The transaction counter file to migrate exists but holds no number.
    case counterFile(path: String, reason: String)
    /// The next transaction id would not fit SQLite's signed 64-bit integer.
    case exhausted
    /// Any other SQLite failure, with SQLite's words.
    case database(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot open the outbox \(path): \(reason); check that its directory exists and that the gateway's user can read and write both"
        case .locked(let path):
            "the outbox \(path) stayed locked by another connection past the busy timeout; another gatewayd is probably running on the same file: stop it, or give each gateway its own outbox"
        case .corrupt(let path, let reason):
            "the outbox \(path) is damaged (\(reason)) and was left as it is; stop the gateway, copy the file with its -wal and -shm aside and recover the readings with `sqlite3 \(path) .recover` or restore a backup; do not delete it, it holds readings the head-end has not acknowledged"
        case .empty(let path):
            "the outbox \(path) is empty (0 bytes), which no outbox ever is: a truncated file or a failed restore, refused and left as it is; restore it from a backup, or move it away to start an empty outbox (its ids then move on past what the head-end holds)"
        case .unwritable(let path, let reason):
            "cannot write the outbox \(path): \(reason); nothing was stored; free disk space or fix the file's permissions"
        case .newerSchema(let path):
            "the outbox \(path) was written by a newer gateway release; run that release (or a newer one) on it, never an older one"
        case .full(let depth, let limit):
            "the outbox is full (\(depth) readings, limit \(limit)): this reading was refused and recorded as a gap, nothing stored was dropped; restore the uplink to the head-end so readings drain, or raise the limit"
        case .tooLarge(let bytes, let maxBytes):
            "the outbox file is at its size limit (\(bytes) of \(maxBytes) bytes): this reading was refused and recorded as a gap, nothing stored was dropped; restore the uplink to the head-end so readings drain, or raise outbox.max_bytes if the disk has room"
        case .unknownTransaction(let id, let next):
            "transaction \(id) was never taken from this outbox (the next id is \(next)); the acknowledgement or frame belongs to another gateway or another outbox"
        case .alreadyDelivered(let id):
            "transaction \(id) was delivered and acknowledged already; its frame cannot change"
        case .notSigned(let id):
            "transaction \(id) has no signed frame yet, so no acknowledgement can be for it; mark delivered only frames sent from pending()"
        case .alreadySigned(let id):
            "transaction \(id) already has a different signed frame, which may have been sent; the first one is kept"
        case .frameMismatch(let id, let reason):
            "the frame given for transaction \(id) does not carry that reading: \(reason); sign the reading's own data-notification under its transaction id"
        case .invalidRecord(let error):
            "the reading could not be stored: \(error); nothing was stored and no transaction id was used"
        case .counterFile(let path, let reason):
            "cannot migrate the transaction counter \(path): \(reason); restore it from a backup (never lower it), or remove it if no frame was ever signed with it"
        case .exhausted:
            "the outbox's transaction ids are exhausted (the next would pass 2^63 - 1)"
        case .database(let path, let reason):
            "the outbox \(path) failed: \(reason)"
        }
    }

    /// Sorts what GRDB and SQLite throw into the cases above, by SQLite's primary result code. Errors of this type
    /// (thrown inside a transaction to roll it back) pass through unchanged.
    static func from(_ error: any Error, path: String) -> OutboxError {
        if let error = error as? OutboxError { return error }
        if let error = error as? Metering.RecordError { return .invalidRecord(error) }
        guard let error = error as? DatabaseError else { return .database(path: path, reason: "\(error)") }
        let reason = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .locked(path: path)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return .corrupt(path: path, reason: reason)
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH: return .unreadable(path: path, reason: reason)
        case .SQLITE_FULL, .SQLITE_READONLY, .SQLITE_IOERR: return .unwritable(path: path, reason: reason)
        default: return .database(path: path, reason: reason)
        }
    }
}
