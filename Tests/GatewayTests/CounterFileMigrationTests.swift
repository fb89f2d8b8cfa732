import Foundation
import Gateway
import Metering
import TestSupport
import Testing

/// The transaction counter file of earlier releases is taken over on the first start: ids go on above it, never
/// below anything either source gave, and the file is then left alone.
@Suite("Outbox: taking over the transaction counter file")
struct CounterFileMigrationTests {
    let scratch: ScratchDirectory
    var path: String { scratch.path("outbox.sqlite") }

    init() throws {
        scratch = try ScratchDirectory("outbox-counter")
    }

    func counter(_ name: String, _ text: String) throws -> String {
        let file = scratch.path(name)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test("a counter at 70,000 makes the first id 70,001; the file is left as it was and not read again")
    func continuesAboveTheFile() async throws {
        let file = try counter("transaction-counter", "70000\n")
        do {
            let outbox = try Outbox(path: path, limit: 10, counterFile: file)
            #expect(try await Readings.take(outbox).transactionID == 70_001)
        }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "70000\n")

        // Once taken over, the file is no longer used: a later change to it (it should have none) moves nothing.
        try "90000\n".write(toFile: file, atomically: true, encoding: .utf8)
        let outbox = try Outbox(path: path, limit: 10, counterFile: file)
        #expect(try await Readings.take(outbox).transactionID == 70_002)
    }

    @Test("an outbox already at 80,000 stays there when handed a counter at 70,000")
    func neverLowers() async throws {
        do {
            let outbox = try Outbox(path: path, limit: 10, counterFile: try counter("old-counter", "79999\n"))
            #expect(try await Readings.take(outbox).transactionID == 80_000)
        }
        let outbox = try Outbox(path: path, limit: 10, counterFile: try counter("older-counter", "70000\n"))
        #expect(try await Readings.take(outbox).transactionID == 80_001)
    }

    @Test("the file TransactionCounter writes is the file migrated")
    func realCounterFile() async throws {
        let file = scratch.path("state/counter")
        let counter = TransactionCounter(path: file)
        for _ in 0..<3 { _ = try counter.next() }
        let outbox = try Outbox(path: path, limit: 10, counterFile: file)
        #expect(try await Readings.take(outbox).transactionID == 4)
    }

    @Test("no counter file: ids start at 1")
    func missingFile() async throws {
        let outbox = try Outbox(path: path, limit: 10, counterFile: scratch.path("never-written"))
        #expect(try await Readings.take(outbox).transactionID == 1)
    }

    @Test("a damaged counter file stops the start with the file named, and changes nothing")
    func damagedFile() async throws {
        let file = try counter("damaged", "seventy thousand\n")
        #expect {
            _ = try Outbox(path: path, limit: 10, counterFile: file)
        } throws: { error in
            guard case OutboxError.counterFile(file, _) = error else { return false }
            return "\(error)".contains("never lower it")
        }
        let outbox = try Outbox(path: path, limit: 10)
        #expect(try await Readings.take(outbox).transactionID == 1)
    }

    @Test("a counter at the end of the 63-bit range is refused, not wrapped")
    func exhaustedFile() throws {
        let file = try counter("huge", "\(UInt64(Int64.max))\n")
        #expect(throws: OutboxError.exhausted) { _ = try Outbox(path: path, limit: 10, counterFile: file) }
    }
}
