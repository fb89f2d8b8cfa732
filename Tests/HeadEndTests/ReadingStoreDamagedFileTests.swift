import Foundation
import GRDB
import HeadEnd
import TestSupport
import Testing

/// Issue 17, items 1 and 5: the head-end's store is created only where no file exists. An empty or damaged one is
/// refused with one line naming the file and the way to recover, before anything writes to it.
@Suite("ReadingStore: an existing empty or damaged file is refused and left untouched")
struct ReadingStoreDamagedFileTests {
    @Test("refused in one line naming the file and the recovery; its bytes unchanged, no -wal or -shm made",
          arguments: DamagedDatabase.allCases)
    func refused(_ damage: DamagedDatabase) async throws {
        let fixture = try await HeadEndFixture("store-damaged")
        let path = fixture.storePath
        let store = try ReadingStore(path: path)
        let gateway = try await fixture.gateway("00DB1234567890F0")
        _ = try await fixture.processor(store: store).process(try await gateway.frame(1), from: gateway.title)
        try store.close()
        // The pool's last connection to close is a reader, which leaves the log beside the file: one read-write
        // connection closing last folds it in and removes it, so the damage is to the whole database.
        try DatabaseQueue(path: path).close()
        try damage.apply(to: path)
        let before = DamagedDatabase.snapshot(path)
        #expect(!before.wal && !before.shm)

        #expect {
            _ = try ReadingStore(path: path)
        } throws: { error in
            guard case ReadingStoreError.damaged(path, _) = error else { return false }
            let line = "\(error)"
            return line.contains(path) && line.contains("backup") && line.contains("move it away") && !line.contains("\n")
        }
        #expect(DamagedDatabase.snapshot(path) == before)
    }
}
