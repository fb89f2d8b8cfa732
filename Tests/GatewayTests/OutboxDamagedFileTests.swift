import Foundation
import GRDB
import Gateway
import TestSupport
import Testing

/// Issue 17, items 1 and 5: an outbox file that exists is never taken for a new outbox. Empty (truncated, a failed
/// restore) or damaged, it is refused with one line naming the file and the way to recover, and left byte for byte
/// as it was: no `-wal` or `-shm` appear beside it.
@Suite("Outbox: an existing empty or damaged file is refused and left untouched")
struct OutboxDamagedFileTests {
    @Test("refused in one line naming the file and the recovery; its bytes unchanged, no -wal or -shm made",
          arguments: DamagedDatabase.allCases)
    func refused(_ damage: DamagedDatabase) async throws {
        let scratch = try ScratchDirectory("outbox-damaged")
        let path = scratch.path("outbox.sqlite")
        let outbox = try Outbox(path: path, limit: 10)
        _ = try await Readings.take(outbox)
        try outbox.close()
        // The pool's last connection to close is a reader, which leaves the log beside the file: one read-write
        // connection closing last folds it in and removes it, so the damage is to the whole database.
        try DatabaseQueue(path: path).close()
        try damage.apply(to: path)
        let before = DamagedDatabase.snapshot(path)
        #expect(!before.wal && !before.shm)

        #expect {
            _ = try Outbox(path: path, limit: 10)
        } throws: { error in
            let line = "\(error)"
            let kind: Bool
            switch error as? OutboxError {
            case .empty(path): kind = damage == .empty
            case .corrupt(path, _): kind = damage != .empty
            default: kind = false
            }
            return kind && line.contains(path) && line.contains("backup") && !line.contains("\n")
        }
        #expect(DamagedDatabase.snapshot(path) == before)
    }

    @Test("a new outbox is whole from its first byte: opened at once from eight places it is one database, WAL mode, nothing left beside it")
    func newFileIsWhole() async throws {
        let scratch = try ScratchDirectory("outbox-new")
        let path = scratch.path("outbox.sqlite")
        // Each open finds no file or a whole database, never the empty moment of SQLite's own creation, which an
        // open beside it refused as an emptied file (a run of ten under load found it).
        let outboxes = try await withThrowingTaskGroup(of: Outbox.self) { group in
            for _ in 0..<8 { group.addTask { try Outbox(path: path, limit: 100) } }
            return try await group.reduce(into: [Outbox]()) { $0.append($1) }
        }
        var ids: [UInt64] = []
        for outbox in outboxes { ids.append(try await Readings.take(outbox).transactionID) }
        #expect(ids.sorted() == Array(1...8))
        for outbox in outboxes { try outbox.close() }
        let header = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)).prefix(20))
        #expect(Array(header.prefix(16)) == Array("SQLite format 3\0".utf8))
        #expect(header[18] == 2 && header[19] == 2, "not in WAL mode: \(header)")
        let beside = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path)
        #expect(!beside.contains { $0.contains(".new-") }, "\(beside)")
    }
}
