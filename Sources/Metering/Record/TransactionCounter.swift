import Foundation

/// The gateway's 64-bit transaction id: strictly increasing and persisted, so a restart never reuses an id and a
/// receiver can tell a replayed frame from a new one. The next value is written (and synced) before it is used.
public struct TransactionCounter: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The next id (1 for a new counter).
    public func next() throws(RecordError) -> UInt64 {
        let current: UInt64
        if let data = FileManager.default.contents(atPath: path) {
            guard let value = UInt64(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw .invalidField("transaction counter \(path) is damaged; restore it from a backup, never lower it")
            }
            current = value
        } else {
            current = 0
        }
        guard current < UInt64.max else { throw .invalidField("transaction counter \(path) is exhausted") }
        let next = current + 1
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            let temporary = path + ".tmp"
            FileManager.default.createFile(atPath: temporary, contents: Data("\(next)\n".utf8))
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.synchronize()
            try handle.close()
            if rename(temporary, path) != 0 { throw RecordError.invalidField("cannot replace \(path): \(String(cString: strerror(errno)))") }
        } catch let error as RecordError {
            throw error
        } catch {
            throw .invalidField("cannot write transaction counter \(path): \(error)")
        }
        return next
    }
}
