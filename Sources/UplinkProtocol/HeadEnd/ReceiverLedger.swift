import COSEM

/// The head-end's memory of which transaction ids each gateway's stored readings carry, and the replay and gap
/// rules that follow from it, without I/O: a verified frame's id in, a `LedgerDecision` out.
///
/// Per gateway (by system title) it keeps the highest stored id and a bitmap of the `window` ids up to it
/// (`RecentTransactions`), so:
/// - an id above the highest is new; above the next one, it opens a gap, reported once;
/// - an id within the window is a duplicate when stored, else late (a missing one arriving after all);
/// - an id below the window is looked up in the store: stored, a duplicate; not stored, a replay of an old frame,
///   refused for good. The ledger cannot tell a frame it never saw from one the store no longer holds (pruned after
///   its retention), and accepting such a frame would let a captured old frame count twice. No honest gateway sends
///   one: its `GatewaySession` never sends a frame `maxSpread` ids above the oldest in flight, and its `maxSpread`
///   is at most this window (both default to `defaultWindow`).
///
/// The state is exactly what the store holds: `decide` changes nothing, and `recordStored` is called once the store
/// has committed the reading, so a failed write leaves no trace and a gap is reported again with the next try. After a
/// restart, `restore` rebuilds each gateway's state from the ids its store returns for `restoreRange`, and every rule
/// answers as before. Calls for one gateway come one at a time (one connection per gateway).
public struct ReceiverLedger: Sendable {
    /// 4096 ids: 512 bytes per gateway; at one reading a second, more than an hour of readings out of order.
    public static let defaultWindow = 4096

    /// How many ids below the highest the ledger tracks; a multiple of 64.
    public let window: Int
    private var gateways: [SystemTitle: RecentTransactions] = [:]

    /// - Parameter window: rounded up to a multiple of 64, at least 64; at least the gateways' `maxSpread`.
    public init(window: Int = defaultWindow) {
        self.window = max(64, (window + 63) / 64 * 64)
    }

    /// Whether the ledger has a state for `gateway` (restored, or recorded since). A head-end restores a gateway it
    /// does not know from its store before deciding on its first frame; a gateway the store has nothing of is
    /// restored from no ids.
    public func knows(_ gateway: SystemTitle) -> Bool {
        gateways[gateway] != nil
    }

    /// The highest id stored from `gateway`, if any.
    public func highestStored(from gateway: SystemTitle) -> UInt64? {
        gateways[gateway]?.highest
    }

    /// The ids a head-end reads from its store to restore a gateway whose highest stored id is `highest`.
    public func restoreRange(highest: UInt64) -> ClosedRange<UInt64> {
        (highest >= UInt64(window) ? highest - UInt64(window) + 1 : 0)...highest
    }

    /// Rebuilds a gateway's state from the ids its store holds (all of them, or those in `restoreRange` of the
    /// highest: older ones change nothing). Replaces what the ledger had for it.
    public mutating func restore(gateway: SystemTitle, storedIDs: some Sequence<UInt64>) {
        let ids = Array(storedIDs)
        var recent = RecentTransactions(window: window)
        if let highest = ids.max() {
            recent.insert(highest)
            for id in ids where recent.covers(id) { recent.insert(id) }
        }
        gateways[gateway] = recent
    }

    /// What to do with a verified frame from `gateway` carrying `id`.
    /// - Parameter storeHolds: whether the store holds this gateway's id; asked only about ids the ledger does not
    ///   cover (below the window, or from a gateway it has no record of), which an honest gateway rarely sends.
    public func decide<E: Error>(_ id: UInt64, from gateway: SystemTitle,
                                 storeHolds: (UInt64) throws(E) -> Bool) throws(E) -> LedgerDecision {
        guard let recent = gateways[gateway], let highest = recent.highest else {
            return try storeHolds(id) ? .duplicate : .new
        }
        if id > highest {
            return id == highest + 1 ? .new : .gap(missing: (highest + 1)...(id - 1))
        }
        if recent.covers(id) {
            return recent.contains(id) ? .duplicate : .late
        }
        return try storeHolds(id) ? .duplicate : .replayOfOld(highest: highest, window: window)
    }

    /// Records that the store committed `id` from `gateway`.
    public mutating func recordStored(_ id: UInt64, from gateway: SystemTitle) {
        gateways[gateway, default: RecentTransactions(window: window)].insert(id)
    }
}
