import Foundation
@testable import Gateway
import Testing
import TestSupport

/// The status file under writes from several tasks (a state change is written at once, the reporter every second):
/// whatever order the writes finish in, the file ends with the newest status, never an older one.
@Suite("The status file: an older status never overwrites a newer one")
struct StatusBoardTests {
    @Test("a write of a status taken before the last change, finishing after it, leaves the newer status in the file")
    func olderWriteFinishingLast() throws {
        let scratch = try ScratchDirectory("status-order")
        let path = scratch.path("status.json")
        let board = StatusBoard(path: path)
        // The reporter took its status, and before its write finished the uplink connected and wrote its own.
        let older = board.snapshot
        board.update { $0.uplink = .connected }
        board.write(older)
        #expect(try StatusBoard.read(path: path).uplink == .connected)
        // The same status written again (a refresh that changed nothing) still goes: the file stays fresh.
        board.update { $0.lastError = "a line" }
        board.write()
        #expect(try StatusBoard.read(path: path).lastError == "a line")
    }

    @Test("two writers changing the state at the same moment, five hundred times: the file always ends with the later change")
    func racingWriters() throws {
        let scratch = try ScratchDirectory("status-race")
        let path = scratch.path("status.json")
        let board = StatusBoard(path: path)
        var older = 0
        for round in 0..<500 {
            // Both writers are released together, so their writes overlap. Plain threads: the writers block, and
            // a blocked writer must never hold a thread of Swift's cooperative pool, which the other suites need.
            let arrived = DispatchSemaphore(value: 0), go = DispatchSemaphore(value: 0), done = DispatchGroup()
            for writer in ["reporter", "uplink"] {
                done.enter()
                Thread {
                    arrived.signal()
                    go.wait()
                    // A new token reason is a change of state: the update writes the file.
                    board.update {
                        $0.missedPolls += 1
                        $0.tokenReason = "\(writer) \(round)"
                    }
                    done.leave()
                }.start()
            }
            arrived.wait(); arrived.wait()
            go.signal(); go.signal()
            done.wait()
            if try StatusBoard.read(path: path).missedPolls != board.current.missedPolls { older += 1 }
        }
        #expect(older == 0, "\(older) of 500 rounds left the older change in the file")
    }
}
