import Foundation
import GRDB
import Gateway
import Signing
import Testing
import TestSupport

/// The outbox's size on disk is bounded, not only its count: the file by `maxBytes` (refused like a full outbox),
/// and the write-ahead log, which a burst under a long reader would otherwise leave at its largest for good.
@Suite("Outbox: the size on disk")
struct OutboxSizeTests {
    let scratch: ScratchDirectory
    var path: String { scratch.path("outbox.sqlite") }

    init() throws {
        scratch = try ScratchDirectory("outbox-size")
    }

    @Test("past maxBytes take is refused as too large and recorded as a gap; a delivery frees room again")
    func byteLimit() async throws {
        let signer = try SoftwareSigner(generating: .ecdsa(.p256))
        let outbox = try Outbox(path: path, limit: 1_000_000, maxBytes: 64 << 10)
        var taken: [UnsignedReading] = []
        var refusal: OutboxError?
        while refusal == nil, taken.count < 1_000 {
            do { taken.append(try await Readings.take(outbox, at: Readings.time(taken.count))) } catch { refusal = error }
        }
        guard case .tooLarge(let bytes, 64 << 10)? = refusal else {
            Issue.record("expected a refusal for the size, got \(String(describing: refusal)) after \(taken.count) readings")
            return
        }
        #expect(bytes >= 64 << 10)
        #expect(taken.count > 10)
        #expect(try await outbox.gaps().map(\.count) == [1])
        #expect("\(refusal!)".contains("outbox.max_bytes"))

        // Delivering readings frees pages, which the next readings reuse (signing first adds each frame).
        let half = taken.prefix(taken.count / 2)
        for reading in half { try await Readings.sign(reading, in: outbox, signer: signer) }
        try await outbox.markDelivered(transactionIDs: half.map(\.transactionID))
        #expect(try await Readings.take(outbox).transactionID == UInt64(taken.count) + 1)
    }

    @Test("a burst while another connection holds a read snapshot leaves the write-ahead log cut back to its limit")
    func writeAheadLogBounded() async throws {
        let outbox = try Outbox(path: path, limit: 1_000_000)
        // A reader in another connection keeps its snapshot: no checkpoint can restart the log meanwhile, so it grows.
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let reader = try DatabaseQueue(path: path, configuration: configuration)
        try await reader.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN DEFERRED")
            _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reading")
        }
        for offset in 0..<1_500 { try await Readings.take(outbox, at: Readings.time(offset)) }
        #expect(outbox.walBytes > Outbox.walSizeLimit, "the burst should have grown the log past its limit (\(outbox.walBytes) bytes)")
        try await reader.writeWithoutTransaction { try $0.execute(sql: "COMMIT") }
        try reader.close()

        // The first write after the reader is gone lets SQLite's checkpoint copy the whole log; the next one starts
        // the log over and cuts it back.
        for offset in 0..<2 { try await Readings.take(outbox, at: Readings.time(2_000 + offset)) }
        #expect(outbox.walBytes <= Outbox.walSizeLimit, "the log stayed at \(outbox.walBytes) bytes")
    }
}
