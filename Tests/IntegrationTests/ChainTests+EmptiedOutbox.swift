import Foundation
import Testing
import TestSupport

extension ChainTests {
    /// Issue 17, item 1, as it was found: an outbox emptied while the head-end holds the gateway's readings made
    /// gatewayd number from 1 again, the head-end answered `duplicate` for every id it held, and the gateway deleted
    /// its new readings (20 of 20 lost, no error).
    @Test("an outbox deleted while the head-end holds its readings: every new reading is stored, none taken for a duplicate, ids above the head-end's")
    func emptiedOutbox() async throws {
        let chain = try await ChainFixture()
        let headEnd = try await chain.startHeadEnd()
        try await chain.startGateway()
        try await chain.eventually(60, "twenty readings delivered") { chain.deliveredLines.count >= 20 }
        #expect(await chain.stopGateway() == 0)
        let held = try await chain.headEndReadings()
        let highest = try #require(held.max())
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: chain.outboxPath + suffix) }

        let gateway = try await chain.startGateway()
        try await chain.eventually(60, "twenty readings delivered after the restart") { chain.deliveredLines.count >= 20 }
        let delivered = ids(in: chain.deliveredLines, prefix: "delivered")
        let stored = Set(try await chain.headEndReadings())
        #expect(delivered.allSatisfy { $0 > highest }, "ids at or below the head-end's highest (\(highest)) delivered: \(delivered)")
        #expect(stored.isSuperset(of: delivered), "delivered but not stored: \(Set(delivered).subtracting(stored).sorted())")
        #expect(stored.count >= held.count + 20)
        #expect(!headEnd.stdoutLines.contains { $0.hasPrefix("duplicate") }, "\(headEnd.stdoutLines.filter { $0.hasPrefix("duplicate") })")
        let jump = gateway.stderr.split(separator: "\n").filter { $0.contains("numbered from") }
        #expect(jump.count == 1 && jump[0].contains(chain.outboxPath) && jump[0].contains("up to \(highest)"), "\(jump)")
        #expect(try await chain.status()["last error"]?.detail.contains("numbered from") == true)
    }
}
