import Foundation
import GRDBSQLite

/// Makes a daemon's database file where none is, whole or not at all.
///
/// SQLite creates a new file empty and writes its first page a moment later, so a second process opening the same
/// new path in that moment (gatewayd and `gatewayctl status` at first start, two takers in a test) found 0 bytes, and
/// `ExistingDatabase` rightly refuses an empty file. Here the database is made under a name of its own beside the
/// path, in WAL mode with its first page written, and linked into place: another process sees no file or a
/// database, never the empty moment. Whoever links first wins; the other's copy is removed, and both open the
/// winner's file.
public enum NewDatabase {
    /// Creates an empty WAL-mode database at `path` unless a file is there already. The directory must exist.
    public static func create(at path: String) throws(DatabaseFileProblem) {
        guard access(path, F_OK) != 0 else { return }
        let temporary = path + ".new-\(getpid())-\(UInt32.random(in: .min ... .max))"
        defer { unlink(temporary) }
        var connection: OpaquePointer?
        let opened = sqlite3_open_v2(temporary, &connection, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        // Setting WAL mode writes the first page (the header says WAL); closing removes the empty log.
        let written = opened == SQLITE_OK && sqlite3_exec(connection, "PRAGMA journal_mode = WAL", nil, nil, nil) == SQLITE_OK
        let reason = written ? nil : String(cString: sqlite3_errmsg(connection))
        guard sqlite3_close_v2(connection) == SQLITE_OK, written else {
            throw DatabaseFileProblem(path: path, reason: "cannot create it: \(reason ?? "SQLite could not close it")")
        }
        let descriptor = open(temporary, O_RDONLY)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
        guard link(temporary, path) == 0 || errno == EEXIST else {
            throw DatabaseFileProblem(path: path, reason: "cannot create it: \(String(cString: strerror(errno)))")
        }
    }
}
