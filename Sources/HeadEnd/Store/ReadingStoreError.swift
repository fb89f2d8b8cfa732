/// Why the reading store could not do what was asked, naming the file so the one-line error says where to look.
public enum ReadingStoreError: Error, Sendable, CustomStringConvertible {
    /// The file or its directory cannot be opened or made.
    case unreadable(path: String, reason: String)
    /// The file exists but is empty, not SQLite, or damaged: refused before anything wrote to it.
    case damaged(path: String, reason: String)
    /// The file was written by a newer head-end whose schema this one does not know.
    case newerSchema(path: String)
    /// SQLite refused a read or a write (disk full, I/O error, locked past the busy timeout).
    case database(path: String, reason: String)
    /// A transaction id SQLite's signed 64-bit integers cannot hold (above 2^63 - 1, which no gateway's outbox
    /// allocates).
    case idOutOfRange(UInt64)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot open the reading store \(path): \(reason)"
        case .damaged(let path, let reason):
            "the reading store \(path) is refused: \(reason); it was not opened and nothing in it changed: restore it from a backup, or move it away to start an empty store (gateways then send only what their outboxes hold)"
        case .newerSchema(let path): "the reading store \(path) was written by a newer headend; use that version"
        case .database(let path, let reason): "the reading store \(path) failed: \(reason)"
        case .idOutOfRange(let id): "transaction id \(id) is above 2^63 - 1 and cannot be stored"
        }
    }
}
