import Foundation
import GRDB
import Gateway
import Signing
import TestSupport
import Testing

/// The outbox under what a gateway meets in the field: a process killed at any instant, several writers at once.
/// The children are Swift Testing exit tests (copies of this test binary) working on the parent's file.
@Suite("Outbox: killed processes and concurrent takers")
struct OutboxCrashTests {
    let scratch: ScratchDirectory

    init() throws {
        scratch = try ScratchDirectory("outbox-crash")
    }

    #if os(Linux)
    /// A SIGKILL runs no handler and flushes nothing, so what survives is what SQLite had committed. Each child
    /// prints an id only after `take` (or `attachSignature`) returned, i.e. after its commit; the kill comes from
    /// another thread at a random instant, usually in the middle of a transaction. (SIGKILL keeps what the kernel
    /// already has; a power cut is what `synchronous=FULL` is for, and no test here can pull the plug.)
    @Test("readings reported by processes killed with SIGKILL mid-take are all there, ids contiguous, file intact")
    func killedTaker() async throws {
        let rounds = 5
        let path = scratch.path("outbox.sqlite")
        var taken: [UInt64] = []
        var signed: Set<UInt64> = []
        for _ in 0..<rounds {
            let exit = await #expect(processExitsWith: .signal(SIGKILL), observing: [\.standardOutputContent]) { [path = path as String] in
                await OutboxCrashTests.reportingErrors { try await OutboxCrashTests.takeUntilKilled(path: path) }
            }
            let result = try #require(exit)
            let output = String(decoding: result.standardOutputContent, as: UTF8.self)
            let lines = output.split(separator: "\n")
            #expect(!lines.contains { $0.hasPrefix("error: ") }, "the child failed: \(lines.filter { $0.hasPrefix("error: ") })")
            let round = lines.compactMap { $0.hasPrefix("taken ") ? UInt64($0.dropFirst(6)) : nil }
            #expect(!round.isEmpty, "the child was killed before its first take returned: \(output)")
            taken += round
            signed.formUnion(lines.compactMap { $0.hasPrefix("signed ") ? UInt64($0.dropFirst(7)) : nil })
        }

        // Before the outbox touches it: the file the killed processes left passes SQLite's own check.
        let check = try DatabaseQueue(path: path)
        #expect(try await check.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") } == ["ok"])
        try check.close()

        let outbox = try Outbox(path: path, limit: 1_000_000)
        let unsigned = try await outbox.unsigned(limit: 1_000_000).map(\.transactionID)
        let depth = try await outbox.depth()
        #expect(depth.unsigned == unsigned.count)
        let signer = try SoftwareSigner(generating: .ecdsa(.p256))
        try await Readings.signBacklog(outbox, signer: signer)
        let all = try await outbox.pending(limit: 1_000_000).map(\.transactionID)

        #expect(all == Array(1...UInt64(all.count)), "ids are not contiguous from 1, or repeat")
        #expect(depth.total == all.count)
        #expect(Set(taken).isSubset(of: all), "reported readings are missing: \(Set(taken).subtracting(all).sorted())")
        #expect(Set(taken).count == taken.count, "an id was reported twice")
        // Each kill can cost at most the one reading committed but not yet printed, never more.
        #expect(all.count <= taken.count + rounds)
        #expect(signed.isDisjoint(with: unsigned), "frames reported signed came back unsigned: \(signed.intersection(unsigned).sorted())")
        #expect(try await Readings.take(outbox).transactionID == UInt64(all.count) + 1)
    }

    @Test("two processes taking from one new file at once never get the same id")
    func twoProcesses() async throws {
        let path = scratch.path("shared.sqlite")
        let directory = scratch.url.path
        async let first = Self.taker(path: path, directory: directory, index: 0)
        async let second = Self.taker(path: path, directory: directory, index: 1)
        let (a, b) = try await (first, second)
        #expect(a.count == 300 && b.count == 300)
        #expect(a == a.sorted() && b == b.sorted(), "one process's ids went back")
        #expect(Set(a).isDisjoint(with: b), "both processes got \(Set(a).intersection(b).sorted())")
        #expect((a + b).sorted() == Array(1...600))
        let outbox = try Outbox(path: path, limit: 1_000)
        #expect(try await outbox.depth().unsigned == 600)
    }

    /// The killed child: takes readings as fast as it can, signs every third, prints each id once its commit has
    /// returned, and after its first reading arms a thread that SIGKILLs the process at a random instant.
    static func takeUntilKilled(path: String) async throws {
        let outbox = try Outbox(path: path, limit: 1_000_000)
        let signer = try SoftwareSigner(generating: .ecdsa(.p256))
        var armed = false
        while true {
            let reading = try await Readings.take(outbox)
            print("taken \(reading.transactionID)")
            fflush(nil)
            if reading.transactionID.isMultiple(of: 3) {
                try await Readings.sign(reading, in: outbox, signer: signer)
                print("signed \(reading.transactionID)")
                fflush(nil)
            }
            if !armed {
                armed = true
                let delay = useconds_t.random(in: 1_000...150_000)
                Thread.detachNewThread {
                    usleep(delay)
                    kill(getpid(), SIGKILL)
                }
            }
        }
    }

    /// The body of one of two sibling children: waits until both are started, so their takes overlap, then opens
    /// the file (new, so both may also run its migration at once) and takes 300 readings, printing each id.
    static func takeAfterSibling(path: String, directory: String, index: Int) async throws {
        _ = FileManager.default.createFile(atPath: "\(directory)/ready-\(index)", contents: Data())
        // Generous: on a loaded machine the sibling copy of the test binary can take long to start.
        let deadline = Date().addingTimeInterval(120)
        while !(0..<2).allSatisfy({ FileManager.default.fileExists(atPath: "\(directory)/ready-\($0)") }) {
            guard Date() < deadline else { exit(3) }
            usleep(500)
        }
        let outbox = try Outbox(path: path, limit: 100_000, busyTimeout: .seconds(120))
        for _ in 0..<300 { print("taken \(try await Readings.take(outbox).transactionID)") }
        fflush(nil)
    }

    /// Runs an exit test's body, printing an error it throws and exiting with 2. Swift Testing hands a thrown error to
    /// the runtime's top-level error handler, which traps: the child dies of SIGILL and the error's text is lost (the
    /// SIGILL once seen beside the whole suite was such an error). Printed on stdout, the parent reads it.
    static func reportingErrors(_ body: () async throws -> Void) async {
        do {
            try await body()
        } catch {
            print("error: \(error)")
            fflush(nil)
            exit(2)
        }
    }

    /// Runs `takeAfterSibling` in a child; returns the ids it printed.
    private static func taker(path: String, directory: String, index: Int) async throws -> [UInt64] {
        let exit = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) { [path = path as String, directory = directory as String, index = index as Int] in
            await OutboxCrashTests.reportingErrors {
                try await OutboxCrashTests.takeAfterSibling(path: path, directory: directory, index: index)
            }
        }
        let result = try #require(exit)
        let lines = String(decoding: result.standardOutputContent, as: UTF8.self).split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("error: ") }, "child \(index) failed: \(lines.filter { $0.hasPrefix("error: ") })")
        return lines.compactMap { $0.hasPrefix("taken ") ? UInt64($0.dropFirst(6)) : nil }
    }
    #endif

    @Test("many tasks taking at once through two connections to one file never get the same id")
    func parallelTasks() async throws {
        let path = scratch.path("tasks.sqlite")
        let first = try Outbox(path: path, limit: 10_000)
        let second = try Outbox(path: path, limit: 10_000)
        let perTask = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for task in 0..<8 {
                let outbox = task.isMultiple(of: 2) ? first : second
                group.addTask {
                    var ids: [UInt64] = []
                    for _ in 0..<25 { ids.append(try await Readings.take(outbox).transactionID) }
                    return ids
                }
            }
            return try await group.reduce(into: [[UInt64]]()) { $0.append($1) }
        }
        for ids in perTask { #expect(ids == ids.sorted(), "a task's ids went back: \(ids)") }
        #expect(perTask.flatMap { $0 }.sorted() == Array(1...200))
        #expect(try await first.depth().unsigned == 200)
    }
}
