import COSEM
import Uplink

/// Uplink's `ReceiverLedger` with the store behind it: a gateway seen for the first time since start is restored
/// from the ids the store holds, and the ids the ledger does not cover are looked up in the store. The ledger is
/// told of a reading only after the store committed it (`recordStored`), so a failed write leaves no trace.
///
/// A batch of one gateway's frames is decided on a `LedgerDraft`: a copy of that gateway's state in which each
/// reading to be stored counts as stored for the frames after it, exactly as if each had been committed before the
/// next was decided. The ledger itself learns of the readings only once the batch's transaction committed.
actor HeadEndLedger {
    private var ledger: ReceiverLedger
    private let store: ReadingStore

    init(store: ReadingStore, window: Int = ReceiverLedger.defaultWindow) {
        self.store = store
        ledger = ReceiverLedger(window: window)
    }

    /// A draft of `gateway`'s state to decide a batch on; restores the gateway from the store first if need be.
    func draft(for gateway: SystemTitle) async throws(ReadingStoreError) -> LedgerDraft {
        if !ledger.knows(gateway) {
            let highest = try await store.highestTransactionID(gateway: gateway)
            var ids: [UInt64] = []
            if let highest {
                ids = try await store.storedIDs(gateway: gateway, in: ledger.restoreRange(highest: highest))
            }
            if !ledger.knows(gateway) { ledger.restore(gateway: gateway, storedIDs: ids) }
        }
        return LedgerDraft(ledger: ledger.restricted(to: gateway), gateway: gateway, store: store)
    }

    /// Records that the store committed these ids from `gateway`.
    func recordStored(_ ids: [UInt64], from gateway: SystemTitle) {
        for id in ids { ledger.recordStored(id, from: gateway) }
    }
}

/// One gateway's ledger state while a batch of its frames is decided, in the frames' order (`HeadEndLedger.draft`).
struct LedgerDraft: Sendable {
    private var ledger: ReceiverLedger
    let gateway: SystemTitle
    private let store: ReadingStore
    /// The ids this batch will store: held, when the ledger asks about one below its window.
    private var assumed: Set<UInt64> = []

    fileprivate init(ledger: ReceiverLedger, gateway: SystemTitle, store: ReadingStore) {
        self.ledger = ledger
        self.gateway = gateway
        self.store = store
    }

    /// Marks that the ledger must ask the store; `decide`'s closure is synchronous and the store is not.
    private struct NeedsStore: Error {}

    /// The decision on `id`, counting every id this draft was told of (`assumeStored`) as stored.
    mutating func decide(_ id: UInt64) async throws(ReadingStoreError) -> LedgerDecision {
        do {
            return try ledger.decide(id, from: gateway) { _ throws(NeedsStore) in throw NeedsStore() }
        } catch {
            var holds = assumed.contains(id)
            if !holds { holds = try await store.holds(gateway: gateway, transactionID: id) }
            return ledger.decide(id, from: gateway) { _ in holds }
        }
    }

    /// `id` is to be stored in this batch: the frames after it are decided as if it were.
    mutating func assumeStored(_ id: UInt64) {
        assumed.insert(id)
        ledger.recordStored(id, from: gateway)
    }
}
