import Foundation
import Gateway
import Signing
import TestSupport
import Testing

/// A full outbox keeps everything it holds and refuses the next reading loudly: a typed error, a count that
/// survives restarts, and a gap recorded with the refused readings' times.
@Suite("Outbox: the limit")
struct OutboxLimitTests {
    let scratch: ScratchDirectory
    let signer: SoftwareSigner
    var path: String { scratch.path("outbox.sqlite") }

    init() throws {
        scratch = try ScratchDirectory("outbox-limit")
        signer = try SoftwareSigner(generating: .ecdsa(.p256))
    }

    @Test("at the limit take is refused with .full, nothing stored is dropped, and a delivery makes room again")
    func fullRefusesAndKeeps() async throws {
        let outbox = try Outbox(path: path, limit: 3)
        var stored: [UnsignedReading] = []
        for offset in 0..<3 { stored.append(try await Readings.take(outbox, at: Readings.time(offset))) }

        // The token is absent: all three wait unsigned, and unsigned readings count against the limit too.
        await #expect(throws: OutboxError.full(depth: 3, limit: 3)) { try await Readings.take(outbox, at: Readings.time(3)) }
        await #expect(throws: OutboxError.full(depth: 3, limit: 3)) { try await Readings.take(outbox, at: Readings.time(4)) }
        #expect(try await outbox.unsigned(limit: 10) == stored)
        let depth = try await outbox.depth()
        #expect((depth.total, depth.isFull, depth.refused) == (3, true, 2))
        #expect(try await outbox.gaps() == [OutboxGap(afterTransactionID: 3, firstMeasuredAt: Readings.time(3),
                                                      lastMeasuredAt: Readings.time(4), count: 2)])

        // Signing makes no room: a signed frame is still a reading the head-end has not acknowledged.
        try await Readings.signBacklog(outbox, signer: signer)
        await #expect(throws: OutboxError.full(depth: 3, limit: 3)) { try await Readings.take(outbox, at: Readings.time(5)) }
        #expect(try await outbox.pending(limit: 10).map(\.transactionID) == [1, 2, 3])

        try await outbox.markDelivered(transactionID: 1)
        // The refused readings used no id: the next one stored is 4.
        let next = try await Readings.take(outbox, at: Readings.time(6))
        #expect(next.transactionID == 4)
        await #expect(throws: OutboxError.full(depth: 3, limit: 3)) { try await Readings.take(outbox, at: Readings.time(7)) }
        #expect(try await outbox.gaps() == [
            OutboxGap(afterTransactionID: 3, firstMeasuredAt: Readings.time(3), lastMeasuredAt: Readings.time(5), count: 3),
            OutboxGap(afterTransactionID: 4, firstMeasuredAt: Readings.time(7), lastMeasuredAt: Readings.time(7), count: 1),
        ])
        #expect(try await outbox.depth().refused == 4)
    }

    @Test("the refusal count and the gaps survive a reopen; a larger limit on reopen takes again")
    func refusalsAreDurable() async throws {
        do {
            let outbox = try Outbox(path: path, limit: 1)
            try await Readings.take(outbox)
            await #expect(throws: OutboxError.full(depth: 1, limit: 1)) { try await Readings.take(outbox, at: Readings.time(1)) }
        }
        let outbox = try Outbox(path: path, limit: 2)
        #expect(try await outbox.depth().refused == 1)
        #expect(try await outbox.gaps().map(\.count) == [1])
        #expect(try await Readings.take(outbox).transactionID == 2)
        await #expect(throws: OutboxError.full(depth: 2, limit: 2)) { try await Readings.take(outbox) }
    }

    @Test("the error says what happened and what to do")
    func fullDescription() {
        let text = OutboxError.full(depth: 10_000, limit: 10_000).description
        #expect(text.contains("refused"))
        #expect(text.contains("nothing stored was dropped"))
        #expect(text.contains("uplink"))
    }
}
