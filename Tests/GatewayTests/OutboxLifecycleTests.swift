import COSEM
import Foundation
import GRDB
import Metering
import Signing
import TestSupport
import Testing
@testable import Gateway

/// A reading's way through the outbox, on a real SQLite file: taken unsigned, signed, sent, acknowledged, and
/// every state surviving a reopen.
@Suite("Outbox: take, sign, send, acknowledge, reopen")
struct OutboxLifecycleTests {
    let scratch: ScratchDirectory
    let signer: SoftwareSigner
    var path: String { scratch.path("outbox.sqlite") }

    init() throws {
        scratch = try ScratchDirectory("outbox")
        signer = try SoftwareSigner(generating: .ecdsa(.p256))
    }

    @Test("the file is in WAL mode, and the writer runs with synchronous=FULL, the busy timeout and foreign keys")
    func durabilitySettings() async throws {
        let outbox = try Outbox(path: path, limit: 10, busyTimeout: .milliseconds(1500))
        let (journal, settings) = try await outbox.database.writeWithoutTransaction { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"),
             [try Int.fetchOne(db, sql: "PRAGMA synchronous"), try Int.fetchOne(db, sql: "PRAGMA busy_timeout"),
              try Int.fetchOne(db, sql: "PRAGMA foreign_keys")])
        }
        #expect(journal == "wal")
        // synchronous 2 is FULL; GRDB's pool alone leaves NORMAL (1), which can lose the last commits on a power cut.
        #expect(settings == [2, 1500, 1])
        try outbox.close()
        // WAL is a property of the file: another program opening it sees it too.
        let other = try DatabaseQueue(path: path)
        #expect(try await other.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
    }

    @Test("a reading is stored under the id its record was built with, and decodes back to that record")
    func takeStoresTheRecord() async throws {
        let outbox = try Outbox(path: path, limit: 10)
        let reading = try await Readings.take(outbox, at: Readings.time(7))
        #expect(reading.transactionID == 1)
        #expect(reading.measuredAt == Readings.time(7))
        #expect(try reading.record() == Readings.record(1, at: Readings.time(7)))
        let decoded = try MeasurementRecord.decode(dataNotification: reading.dataNotification)
        #expect(decoded.invokeID == 1)
        #expect(try await outbox.unsigned(limit: 10) == [reading])
        #expect(try await outbox.pending(limit: 10).isEmpty)
    }

    @Test("ids strictly increase across reopens, also after every reading was delivered; no state is lost on reopen")
    func reopenKeepsEverything() async throws {
        var ids: [UInt64] = []
        var frames: [UInt64: [UInt8]] = [:]
        var unsigned: [UnsignedReading] = []
        do {
            let outbox = try Outbox(path: path, limit: 100)
            for offset in 0..<5 { ids.append(try await Readings.take(outbox, at: Readings.time(offset)).transactionID) }
            let backlog = try await outbox.unsigned(limit: 2)
            for reading in backlog { frames[reading.transactionID] = try await Readings.sign(reading, in: outbox, signer: signer) }
            #expect(try await outbox.markDelivered(transactionID: 1))
            unsigned = try await outbox.unsigned(limit: 100)
        }
        do {
            let outbox = try Outbox(path: path, limit: 100)
            #expect(try await outbox.lastDelivered() == 1)
            #expect(try await outbox.unsigned(limit: 100) == unsigned)
            #expect(unsigned.map(\.transactionID) == [3, 4, 5])
            let pending = try await outbox.pending(limit: 100)
            #expect(pending.map(\.transactionID) == [2])
            #expect(pending.first?.frame == frames[2])
            #expect(pending.first?.measuredAt == Readings.time(1))
            let depth = try await outbox.depth()
            #expect((depth.unsigned, depth.signed, depth.total) == (3, 1, 4))
            #expect(depth.oldestMeasuredAt == Readings.time(1))
            ids.append(try await Readings.take(outbox).transactionID)

            try await Readings.signBacklog(outbox, signer: signer)
            for frame in try await outbox.pending(limit: 100) { try await outbox.markDelivered(transactionID: frame.transactionID) }
            #expect(try await outbox.depth().total == 0)
        }
        // Nothing left in the table: the next id must still come from the stored counter, not from what is left.
        let outbox = try Outbox(path: path, limit: 100)
        ids.append(try await Readings.take(outbox).transactionID)
        #expect(ids == [1, 2, 3, 4, 5, 6, 7])
        #expect(try await outbox.lastDelivered() == 6)
    }

    @Test("pending frames come in id order, and a frame waits behind an unsigned reading with a lower id")
    func pendingOrder() async throws {
        let outbox = try Outbox(path: path, limit: 100)
        var readings: [UnsignedReading] = []
        for offset in 0..<4 { readings.append(try await Readings.take(outbox, at: Readings.time(offset))) }
        for index in [3, 1, 0] { try await Readings.sign(readings[index], in: outbox, signer: signer) }
        #expect(try await outbox.pending(limit: 10).map(\.transactionID) == [1, 2])
        #expect(try await outbox.unsigned(limit: 10).map(\.transactionID) == [3])

        try await Readings.sign(readings[2], in: outbox, signer: signer)
        #expect(try await outbox.pending(limit: 10).map(\.transactionID) == [1, 2, 3, 4])
        #expect(try await outbox.pending(after: 2, limit: 10).map(\.transactionID) == [3, 4])
        #expect(try await outbox.pending(limit: 1).map(\.transactionID) == [1])
        #expect(try await outbox.pending(after: 4, limit: 10).isEmpty)
    }

    @Test("markDelivered removes a reading once; again it answers false; unknown and unsigned ids are refused")
    func markDelivered() async throws {
        let outbox = try Outbox(path: path, limit: 100)
        let first = try await Readings.take(outbox)
        let second = try await Readings.take(outbox)
        try await Readings.sign(first, in: outbox, signer: signer)
        #expect(try await outbox.lastDelivered() == nil)

        #expect(try await outbox.markDelivered(transactionID: 1))
        #expect(try await !outbox.markDelivered(transactionID: 1))
        #expect(try await outbox.lastDelivered() == 1)
        #expect(try await outbox.pending(limit: 10).isEmpty)
        #expect(try await outbox.depth().total == 1)

        await #expect(throws: OutboxError.notSigned(2)) { try await outbox.markDelivered(transactionID: second.transactionID) }
        await #expect(throws: OutboxError.unknownTransaction(3, next: 3)) { try await outbox.markDelivered(transactionID: 3) }
        await #expect(throws: OutboxError.unknownTransaction(0, next: 3)) { try await outbox.markDelivered(transactionID: 0) }
        await #expect(throws: OutboxError.unknownTransaction(.max, next: 3)) { try await outbox.markDelivered(transactionID: .max) }
        #expect(try await outbox.unsigned(limit: 10) == [second])
    }

    @Test("a frame is stored only for its own reading, once; repeating the same frame is harmless")
    func attachSignatureChecks() async throws {
        let outbox = try Outbox(path: path, limit: 100)
        let first = try await Readings.take(outbox, at: Readings.time(0))
        let second = try await Readings.take(outbox, at: Readings.time(1))
        let frameOfSecond = try Readings.frame(for: second, signer: signer)

        // The second reading's frame offered for the first: signed under the wrong id.
        await #expect {
            try await outbox.attachSignature(transactionID: 1, frame: frameOfSecond)
        } throws: { error in
            guard case OutboxError.frameMismatch(1, let reason) = error else { return false }
            return reason.contains("transaction id 2")
        }
        // Right id, but it signs another record than the one stored.
        let other = UnsignedReading(transactionID: 1, measuredAt: first.measuredAt,
                                    dataNotification: try Readings.record(1, at: Readings.time(99)).encodedDataNotification(transactionID: 1))
        await #expect {
            try await outbox.attachSignature(transactionID: 1, frame: try Readings.frame(for: other, signer: signer))
        } throws: { error in
            guard case OutboxError.frameMismatch(1, let reason) = error else { return false }
            return reason.contains("stored data-notification")
        }
        await #expect {
            try await outbox.attachSignature(transactionID: 1, frame: [0xDF, 0x01])
        } throws: { error in
            if case OutboxError.frameMismatch(1, _) = error { true } else { false }
        }
        #expect(try await outbox.unsigned(limit: 10).count == 2)

        let frame = try await Readings.sign(first, in: outbox, signer: signer)
        try await outbox.attachSignature(transactionID: 1, frame: frame)
        // ECDSA signs anew with another nonce: a second, different frame for the same reading.
        let again = try Readings.frame(for: first, signer: signer)
        #expect(again != frame)
        await #expect(throws: OutboxError.alreadySigned(1)) { try await outbox.attachSignature(transactionID: 1, frame: again) }
        #expect(try await outbox.pending(limit: 10).map(\.frame) == [frame])

        try await outbox.markDelivered(transactionID: 1)
        await #expect(throws: OutboxError.alreadyDelivered(1)) { try await outbox.attachSignature(transactionID: 1, frame: frame) }
        var unknown = try GeneralSigning(decoding: frameOfSecond)
        unknown.transactionID = [0, 0, 0, 0, 0, 0, 0, 9]
        await #expect(throws: OutboxError.unknownTransaction(9, next: 3)) {
            try await outbox.attachSignature(transactionID: 9, frame: unknown.encoded)
        }
    }

    @Test("a record that cannot be built, or is built for another id, stores nothing and uses no id")
    func invalidRecord() async throws {
        let outbox = try Outbox(path: path, limit: 100)
        await #expect {
            try await outbox.take(measuredAt: Readings.time()) { _ throws(Metering.RecordError) in
                throw Metering.RecordError.invalidField("the snapshot has 3 values, the register map 47")
            }
        } throws: { error in
            guard case OutboxError.invalidRecord(let cause) = error else { return false }
            return "\(error)".contains("no transaction id was used") && "\(cause)".contains("register map 47")
        }
        await #expect {
            try await outbox.take(measuredAt: Readings.time()) { id throws(Metering.RecordError) in try Readings.record(id + 1, at: Readings.time()) }
        } throws: { error in
            guard case OutboxError.invalidRecord = error else { return false }
            return "\(error)".contains("sequence_nr 2 is not transaction 1's")
        }
        #expect(try await outbox.depth().total == 0)
        #expect(try await Readings.take(outbox).transactionID == 1)
    }
}
