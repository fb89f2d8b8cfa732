import Foundation
import GRDB
import Gateway
import TestSupport
import Testing

/// What an operator sees when the file is not what the outbox needs: each failure typed, each description naming
/// the cause and the fix.
@Suite("Outbox: files that cannot be used")
struct OutboxFailureTests {
    let scratch: ScratchDirectory
    var path: String { scratch.path("outbox.sqlite") }

    init() throws {
        scratch = try ScratchDirectory("outbox-failures")
    }

    @Test("a file that is not a database is reported corrupt, with the recovery, and left as it was")
    func corrupt() throws {
        let garbage = Data(String(repeating: "this is not an SQLite database\n", count: 256).utf8)
        _ = FileManager.default.createFile(atPath: path, contents: garbage)
        #expect {
            _ = try Outbox(path: path, limit: 10)
        } throws: { error in
            guard case OutboxError.corrupt(path, _) = error else { return false }
            return "\(error)".contains(".recover") && "\(error)".contains("do not delete it")
        }
        #expect(FileManager.default.contents(atPath: path) == garbage)
    }

    @Test("a directory where the file should be is reported unreadable")
    func directoryInTheWay() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        #expect {
            _ = try Outbox(path: path, limit: 10)
        } throws: { error in
            guard case OutboxError.unreadable(path, _) = error else { return false }
            return "\(error)".contains("can read and write")
        }
    }

    @Test("a directory that cannot be made is reported unreadable")
    func noDirectory() throws {
        _ = FileManager.default.createFile(atPath: scratch.path("plain-file"), contents: Data())
        let inside = scratch.path("plain-file/outbox.sqlite")
        #expect {
            _ = try Outbox(path: inside, limit: 10)
        } throws: { error in
            if case OutboxError.unreadable(inside, _) = error { true } else { false }
        }
    }

    @Test("a write lock held by another connection past the busy timeout is reported locked; after it is released take works")
    func locked() async throws {
        let outbox = try Outbox(path: path, limit: 10, busyTimeout: .milliseconds(300))
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let other = try DatabaseQueue(path: path, configuration: configuration)
        try await other.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") }

        let started = ContinuousClock.now
        await #expect {
            try await Readings.take(outbox)
        } throws: { error in
            guard case OutboxError.locked(path) = error else { return false }
            return "\(error)".contains("another gatewayd")
        }
        #expect(ContinuousClock.now - started >= .milliseconds(250), "the take should have waited for the busy timeout")

        try await other.writeWithoutTransaction { try $0.execute(sql: "ROLLBACK") }
        #expect(try await Readings.take(outbox).transactionID == 1)
    }

    @Test("an outbox written by a newer release is refused, not misread")
    func newerSchema() throws {
        try Outbox(path: path, limit: 10).close()
        let other = try DatabaseQueue(path: path)
        try other.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('from a later release')") }
        try other.close()
        #expect(throws: OutboxError.newerSchema(path: path)) { _ = try Outbox(path: path, limit: 10) }
    }
}
