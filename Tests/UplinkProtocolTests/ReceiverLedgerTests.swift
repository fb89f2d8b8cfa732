import COSEM
import Metering
import TestSupport
import Testing
import UplinkProtocol

/// The head-end's replay and gap rules, with a store that is a set of ids per gateway.
@Suite("Receiver ledger: duplicates, gaps, late frames, replays, restore from the store")
struct ReceiverLedgerTests {
    static let gateway = try! SystemTitle(hex: "00DB1234567890A0")
    static let other = try! SystemTitle(hex: "00DB1234567890FF")

    /// What a head-end does with each verified frame: decide, store when told, record what was stored.
    struct HeadEnd {
        var ledger: ReceiverLedger
        var store: [SystemTitle: Set<UInt64>] = [:]

        init(window: Int = 128) { ledger = ReceiverLedger(window: window) }

        mutating func receive(_ id: UInt64, from gateway: SystemTitle = ReceiverLedgerTests.gateway) -> LedgerDecision {
            let held = store[gateway, default: []]
            let decision = ledger.decide(id, from: gateway) { held.contains($0) }
            if decision.stores {
                #expect(store[gateway, default: []].insert(id).inserted, "\(id) stored twice")
                ledger.recordStored(id, from: gateway)
            }
            return decision
        }
    }

    @Test("in order: new; again: duplicate; a jump: a gap reported once, its ids late when they come")
    func rules() {
        var headEnd = HeadEnd()
        #expect(headEnd.receive(1) == .new)
        #expect(headEnd.receive(2) == .new)
        #expect(headEnd.receive(2) == .duplicate)
        #expect(headEnd.receive(1) == .duplicate)
        #expect(headEnd.receive(6) == .gap(missing: 3...5))
        #expect(headEnd.receive(7) == .new, "the gap is not reported again")
        #expect(headEnd.receive(4) == .late)
        #expect(headEnd.receive(4) == .duplicate)
        #expect(headEnd.receive(3) == .late)
        #expect(headEnd.ledger.highestStored(from: Self.gateway) == 7)
        #expect(headEnd.store[Self.gateway] == [1, 2, 3, 4, 6, 7])
    }

    @Test("below the window: a duplicate when the store holds it, else a replay refused for good")
    func replay() throws {
        var headEnd = HeadEnd(window: 64)
        for id in UInt64(1)...200 where id != 50 { _ = headEnd.receive(id) }
        #expect(headEnd.receive(100) == .duplicate, "stored, below the window: the store says so")
        #expect(headEnd.receive(50) == .replayOfOld(highest: 200, window: 64))
        // A pruned store: the ledger cannot tell a pruned frame from one never seen, and refuses it.
        headEnd.store[Self.gateway]!.remove(100)
        #expect(headEnd.receive(100) == .replayOfOld(highest: 200, window: 64))
        #expect(!headEnd.store[Self.gateway]!.contains(100))

        let refusal = LedgerDecision.replayOfOld(highest: 200, window: 64).acknowledgement(of: 50)
        guard case .refused(let reason) = refusal.outcome else {
            Issue.record("a replay acknowledged as \(refusal.outcome)")
            return
        }
        #expect(reason.reason == .replay && reason.disposition == .final)
        #expect(reason.text == "transaction 50 is more than 64 below the last stored (200) and not stored: refused as a replay")
        #expect(LedgerDecision.duplicate.acknowledgement(of: 7) == Acknowledgement(transactionID: 7, outcome: .duplicate))
        #expect(LedgerDecision.gap(missing: 1...2).acknowledgement(of: 3) == Acknowledgement(transactionID: 3, outcome: .accepted))
    }

    @Test("the window's edge: the oldest id it covers is late, one below it a replay", arguments: [64, 128, 4096])
    func windowEdge(window: Int) throws {
        var headEnd = HeadEnd(window: window)
        let highest = UInt64(window) * 3
        let oldestCovered = highest - UInt64(window) + 1
        for id in UInt64(1)...highest where id != oldestCovered && id != oldestCovered - 1 { _ = headEnd.receive(id) }
        // Exactly `window` ids are tracked, the highest among them: one more and a replay of an old frame would count.
        #expect(headEnd.receive(oldestCovered - 1) == .replayOfOld(highest: highest, window: window))
        #expect(headEnd.receive(oldestCovered) == .late)
    }

    @Test("gateways are kept apart; a gateway the ledger has no record of is asked about in the store")
    func gateways() {
        var headEnd = HeadEnd()
        #expect(headEnd.receive(10) == .new)
        #expect(headEnd.receive(10, from: Self.other) == .new)
        #expect(headEnd.receive(12, from: Self.other) == .gap(missing: 11...11))
        #expect(headEnd.receive(11) == .new)
        #expect(!headEnd.ledger.knows(try! SystemTitle(hex: "0000000000000001")))
        var fresh = ReceiverLedger()
        #expect(fresh.decide(5, from: Self.gateway) { $0 == 5 } == .duplicate)
        #expect(fresh.decide(6, from: Self.gateway) { $0 == 5 } == .new)
        fresh.restore(gateway: Self.gateway, storedIDs: [])
        #expect(fresh.knows(Self.gateway) && fresh.highestStored(from: Self.gateway) == nil)
    }

    @Test("a store that did not commit leaves no trace: the gap is reported again with the next try")
    func failedStore() {
        var ledger = ReceiverLedger()
        ledger.recordStored(1, from: Self.gateway)
        #expect(ledger.decide(5, from: Self.gateway) { _ in false } == .gap(missing: 2...4))
        // The write failed: recordStored was not called.
        #expect(ledger.decide(5, from: Self.gateway) { _ in false } == .gap(missing: 2...4))
        ledger.recordStored(5, from: Self.gateway)
        #expect(ledger.decide(5, from: Self.gateway) { _ in false } == .duplicate)
    }

    @Test("a ledger restored from the store decides every later frame as the one that ran all along", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func restore(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var live = HeadEnd(window: 128)
        var next: UInt64 = 1
        func arrival() -> UInt64 {
            // Mostly in order, with jumps, resends, late ids and old ones.
            switch random.next(below: 10) {
            case 0: return next + UInt64(random.next(below: 20))
            case 1: return next > 1 ? UInt64(1 + random.next(below: Int(next - 1))) : 1
            case 2: return next > 300 ? next - 200 - UInt64(random.next(below: 100)) : next
            default: return next
            }
        }
        for _ in 0..<1500 {
            let id = arrival()
            _ = live.receive(id)
            next = max(next, id + 1)
        }
        // The head-end restarts: its store is all that is left; it reads the ids of restoreRange.
        var restored = HeadEnd(window: 128)
        restored.store = live.store
        let highest = live.ledger.highestStored(from: Self.gateway)!
        let range = restored.ledger.restoreRange(highest: highest)
        restored.ledger.restore(gateway: Self.gateway, storedIDs: live.store[Self.gateway]!.filter { range.contains($0) })
        #expect(restored.ledger.highestStored(from: Self.gateway) == highest)
        for _ in 0..<1500 {
            let id = arrival()
            #expect(restored.receive(id) == live.receive(id), "seed \(seed): id \(id)")
            next = max(next, id + 1)
        }
        #expect(restored.store == live.store)
    }

    @Test("the window is a multiple of 64, at least 64")
    func windowSize() {
        #expect(ReceiverLedger(window: 1).window == 64)
        #expect(ReceiverLedger(window: 100).window == 128)
        #expect(ReceiverLedger().window == 4096)
        #expect(ReceiverLedger(window: 64).restoreRange(highest: 10) == 0...10)
        #expect(ReceiverLedger(window: 64).restoreRange(highest: 1000) == 937...1000)
    }
}
