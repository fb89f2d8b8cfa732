import COSEM
import UplinkProtocol

/// UplinkProtocol's `ReceiverLedger` with the store behind it: a gateway seen for the first time since start is restored
/// from the ids the store holds, and the ids the ledger does not cover are looked up in the store. The ledger is
/// told of a reading only after the store committed it (`recordStored`), so a failed write leaves no trace.
actor HeadEndLedger {
    private var ledger: ReceiverLedger
    private let store: ReadingStore

    init(store: ReadingStore, window: Int = ReceiverLedger.defaultWindow) {
        self.store = store
        ledger = ReceiverLedger(window: window)
    }

    /// Marks that the ledger must ask the store; `decide`'s closure is synchronous and the store is not.
    private struct NeedsStore: Error {}

    func decide(_ id: UInt64, from gateway: SystemTitle) async throws(ReadingStoreError) -> LedgerDecision {
        if !ledger.knows(gateway) {
            let highest = try await store.highestTransactionID(gateway: gateway)
            var ids: [UInt64] = []
            if let highest {
                ids = try await store.storedIDs(gateway: gateway, in: ledger.restoreRange(highest: highest))
            }
            if !ledger.knows(gateway) { ledger.restore(gateway: gateway, storedIDs: ids) }
        }
        do {
            return try ledger.decide(id, from: gateway) { _ throws(NeedsStore) in throw NeedsStore() }
        } catch {
            let holds = try await store.holds(gateway: gateway, transactionID: id)
            return ledger.decide(id, from: gateway) { _ in holds }
        }
    }

    func recordStored(_ id: UInt64, from gateway: SystemTitle) {
        ledger.recordStored(id, from: gateway)
    }
}
