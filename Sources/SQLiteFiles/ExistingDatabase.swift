import Foundation
import GRDBSQLite

/// The one check every daemon's database goes through before it is opened for writing (the gateway's outbox, the
/// head-end's reading store, pkid's certificate database): a file is created only where none exists; an existing
/// file that is empty, not SQLite, or fails `PRAGMA quick_check` is refused, and nothing is written to it.
///
/// Opening a `DatabasePool` writes at once (WAL mode, the schema migration), so a damaged file would be changed
/// before SQLite reported the damage, and an empty one (a truncated file, a failed restore) would silently become a
/// new, empty database: an outbox numbering from 1 again, a store that forgot every reading. The check therefore
/// uses a connection of its own through SQLite's C API, read-only, and, when no write-ahead log is beside the file,
/// `immutable=1`, so SQLite makes no `-wal` or `-shm` either. With a log beside it (the last process stopped without
/// a checkpoint) the check reads through the log, as the daemon will.
public enum ExistingDatabase {
    /// The first 16 bytes of every SQLite 3 database file.
    static let header = Array("SQLite format 3\0".utf8)

    /// Checks the file at `path`, if there is one; nothing when there is none (the caller creates it with
    /// `NewDatabase`, which never leaves an empty file at the path, so an empty one here was emptied).
    public static func check(_ path: String) throws(DatabaseFileProblem) {
        var status = stat()
        guard stat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFREG else { return }  // a directory or device: the open names it
        guard status.st_size > 0 else { throw DatabaseFileProblem(path: path, reason: DatabaseFileProblem.emptyReason) }
        guard let handle = FileHandle(forReadingAtPath: path) else { return }  // unreadable: the open says why
        let start = (try? handle.read(upToCount: 100)).map { [UInt8]($0) } ?? []
        try? handle.close()
        guard start.count == 100, Array(start.prefix(16)) == header else {
            throw DatabaseFileProblem(path: path, reason: "it is not an SQLite database (\(status.st_size) bytes without the SQLite header)")
        }
        let hasLog = FileManager.default.fileExists(atPath: path + "-wal")
        let uri = "file:" + escaped(path) + (hasLog ? "?mode=ro" : "?mode=ro&immutable=1")
        var connection: OpaquePointer?
        defer { sqlite3_close_v2(connection) }
        guard sqlite3_open_v2(uri, &connection, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
            throw DatabaseFileProblem(path: path, reason: "SQLite cannot open it: \(message(connection))")
        }
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        guard sqlite3_prepare_v2(connection, "PRAGMA quick_check(5)", -1, &statement, nil) == SQLITE_OK else {
            throw DatabaseFileProblem(path: path, reason: "it is damaged: \(message(connection))")
        }
        var findings: [String] = []
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else {
                throw DatabaseFileProblem(path: path, reason: "it is damaged: \(message(connection))")
            }
            if let text = sqlite3_column_text(statement, 0) { findings.append(String(cString: text)) }
        }
        guard findings == ["ok"] else {
            throw DatabaseFileProblem(path: path, reason: "it is damaged: \(findings.prefix(2).joined(separator: "; "))")
        }
    }

    /// A path as the path part of an SQLite URI: `%`, `?` and `#` escaped.
    static func escaped(_ path: String) -> String {
        path.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "?", with: "%3f").replacingOccurrences(of: "#", with: "%23")
    }

    private static func message(_ connection: OpaquePointer?) -> String {
        connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "out of memory"
    }
}

/// An existing database file that is not a sound SQLite database: the file and why. Each store's error says what to
/// do about it (restore from a backup, or move the file away), since that differs between an outbox and a CA.
public struct DatabaseFileProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var reason: String

    /// Whether the file is empty (0 bytes) rather than damaged.
    public var isEmpty: Bool { reason == Self.emptyReason }
    static let emptyReason = "it is empty (0 bytes)"

    public var description: String { "\(path): \(reason)" }
}
