import Foundation

/// The gateway's 64-bit transaction id: strictly increasing and persisted, so a restart never reuses an id and a
/// receiver can tell a replayed frame from a new one. The next value is written (and synced) before it is used,
/// under an exclusive lock on `PATH.lock`, so parallel `gatewayctl record sign` runs never get the same id.
public struct TransactionCounter: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The next id (1 for a new counter).
    public func next() throws(TransactionCounterError) -> UInt64 {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw .unwritable(path: path, reason: "cannot create \(directory)")
            }
        }
        let lock = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw .unwritable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else { throw .unwritable(path: path, reason: String(cString: strerror(errno))) }

        let current: UInt64
        if let data = FileManager.default.contents(atPath: path) {
            guard let value = UInt64(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw .damaged(path: path)
            }
            current = value
        } else {
            current = 0
        }
        guard current < UInt64.max else { throw .exhausted(path: path) }
        let next = current + 1
        try write(next)
        return next
    }

    /// Writes `value` to a temporary file, syncs it, and renames it over the counter: a crash leaves the old value
    /// or the new one, never a torn one.
    private func write(_ value: UInt64) throws(TransactionCounterError) {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .unwritable(path: path, reason: String(cString: strerror(errno))) }
        let bytes = Array("\(value)\n".utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced else { throw .unwritable(path: path, reason: "short write or fsync failed") }
        guard rename(temporary, path) == 0 else { throw .unwritable(path: path, reason: String(cString: strerror(errno))) }
    }
}

/// Why the transaction counter cannot give an id. None of these is the record's fault, and none is silently
/// worked around: a counter that went back would let old frames pass as new.
public enum TransactionCounterError: Error, Sendable, Hashable, CustomStringConvertible {
    case damaged(path: String)
    case exhausted(path: String)
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .damaged(let path): "transaction counter \(path) is damaged; restore it from a backup, never lower it"
        case .exhausted(let path): "transaction counter \(path) is exhausted"
        case .unwritable(let path, let reason): "cannot write transaction counter \(path): \(reason); check the directory's permissions and free space"
        }
    }
}
