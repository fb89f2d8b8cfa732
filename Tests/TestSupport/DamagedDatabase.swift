import Foundation

/// The three ways a database file arrives damaged that every daemon must refuse without writing to it (issue 17,
/// items 1 and 5), and what a test compares before and after: the file's bytes and whether SQLite's `-wal` and `-shm`
/// files are beside it.
public enum DamagedDatabase: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Truncated to 0 bytes.
    case empty
    /// 8 KiB of seeded random bytes where the database was.
    case randomBytes
    /// 12 bytes of page 1 overwritten (the header of the schema table's b-tree page, offset 100) and a page of
    /// random bytes appended.
    case pageOneChangedAndPageAppended

    public var description: String { rawValue }

    /// Damages the database at `path` (a healthy, closed one for `pageOneChangedAndPageAppended`; any file else).
    public func apply(to path: String) throws {
        var generator = SplitMix64(seed: 17)
        func random(_ count: Int) -> Data { Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }) }
        switch self {
        case .empty:
            try Data().write(to: URL(fileURLWithPath: path))
        case .randomBytes:
            try random(8192).write(to: URL(fileURLWithPath: path))
        case .pageOneChangedAndPageAppended:
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
            bytes.replaceSubrange(100..<112, with: random(12))
            bytes.append(random(pageSize == 1 ? 65536 : pageSize))
            try bytes.write(to: URL(fileURLWithPath: path))
        }
    }

    /// The file's bytes and which of its `-wal` and `-shm` siblings exist.
    public struct Snapshot: Equatable, Sendable {
        public var bytes: Data?
        public var wal: Bool
        public var shm: Bool
    }

    public static func snapshot(_ path: String) -> Snapshot {
        Snapshot(bytes: FileManager.default.contents(atPath: path), wal: FileManager.default.fileExists(atPath: path + "-wal"),
                 shm: FileManager.default.fileExists(atPath: path + "-shm"))
    }
}
