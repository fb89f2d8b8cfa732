import Foundation
import Gateway
import Metering
import Testing
import TestSupport

/// A full disk under the gateway, on a real 2 MB tmpfs: polls that cannot be stored are counted (status, one log line
/// when the run starts and one when it ends), the status file goes stale without leaving temporary files and is told
/// apart from a stopped daemon, and once there is room the next reading stored carries the count.
@Suite("A full disk", .enabled(if: SmallDisk.canMount, "mounting a tmpfs needs root"))
struct DiskFullTests {
    @Test("polls not stored on a full disk are counted and logged once; the next reading stored carries the count")
    func missedPollsReachTheRecord() async throws {
        let disk = try SmallDisk(bytes: 2 << 20)
        let fixture = try await PipelineFixture()
        defer { fixture.simulator.stop() }
        let outbox = try Outbox(path: disk.path("outbox.sqlite"), limit: 10_000)
        let label = "disk-full-\(UUID().uuidString)"
        // Writes are synchronous: the outcome of `status.write()` is the last one recorded when it returns.
        let outcomes = WriteOutcomes()
        let status = StatusBoard(path: disk.path("status.json")) { _, error in outcomes.add(error == nil) }
        func lastWrite() -> Bool? { outcomes.last }
        let poller = Poller(reader: fixture.reader, builder: fixture.builder, outbox: outbox, interval: .seconds(3600), signing: Wakeup(),
                            timing: fixture.timing, status: status, logger: RecordingLogHandler.logger(label))
        for _ in 0..<2 { await poller.pollOnce() }
        status.write()
        #expect(lastWrite() == true)
        let before = try StatusBoard.read(path: disk.path("status.json"))

        try disk.fill()
        // The outbox fails once its log needs a page the disk no longer has: within a few polls.
        var polls = 0
        while status.current.missedPolls < 3, polls < 500 {
            await poller.pollOnce()
            polls += 1
        }
        let stored = try #require(try await outbox.lastTaken())
        #expect(status.current.missedPolls == 3)
        #expect(status.current.missingPollsSince != nil)
        #expect(status.current.missedPollsCause?.contains("free disk space") == true)
        let started = RecordingLogHandler.lines(of: label).filter { $0.contains("polls are not being stored") }
        #expect(started.count == 1, "one line for the run, not one per poll: \(started)")

        // The status file cannot be written: the write fails, leaves no temporary file, and the last file stays.
        status.write()
        #expect(lastWrite() == false)
        #expect(disk.names().filter { $0.hasSuffix(".tmp") }.isEmpty, "\(disk.names())")
        #expect(try StatusBoard.read(path: disk.path("status.json")) == before)
        // A reader finds the daemon (this process) alive and the file stale, with the cause, not "not running".
        let liveness = DaemonLiveness.assess(before, path: disk.path("status.json"), now: before.updatedAt.addingTimeInterval(60))
        guard case .stale(let since, let cause) = liveness else {
            Issue.record("a live daemon with an old status file is \(liveness)")
            return
        }
        #expect(since == before.updatedAt)
        #expect(cause.contains("No space left on device"), "\(cause)")

        disk.free()
        await poller.pollOnce()
        let next = try #require(try await outbox.unsigned(limit: 10_000).last)
        #expect(next.transactionID == stored + 1)
        #expect(try next.record().missedPollsBefore == 3)
        #expect(try await outbox.gaps().map(\.count) == [3])
        #expect(status.current.missingPollsSince == nil && status.current.missedPolls == 3)
        let ended = RecordingLogHandler.lines(of: label).filter { $0.contains("polls are stored again: 3 polls") }
        #expect(ended.count == 1, "\(RecordingLogHandler.lines(of: label))")
        // Only the first reading after the run says so.
        await poller.pollOnce()
        #expect(try #require(try await outbox.unsigned(limit: 10_000).last).record().missedPollsBefore == 0)
        status.write()
        #expect(lastWrite() == true)
        #expect(DaemonLiveness.assess(try StatusBoard.read(path: disk.path("status.json")), path: disk.path("status.json")) == .running)
        try outbox.close()
    }
}
