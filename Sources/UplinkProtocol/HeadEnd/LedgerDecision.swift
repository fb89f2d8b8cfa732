import Metering

/// What the head-end does with a verified frame, by its transaction id alone (`ReceiverLedger.decide`), and the
/// acknowledgement that answers it.
public enum LedgerDecision: Sendable, Hashable {
    /// The next id, or the first from a gateway the store knows nothing of: store it.
    case new
    /// Above the next id: store it, and log and count the ids skipped. Each gap is reported once, by the frame that
    /// jumps it; its ids may still arrive later (`late`).
    case gap(missing: ClosedRange<UInt64>)
    /// Below the highest stored id, within the window, not stored: an id reported missing arrives after all (a frame
    /// that got a retry-later refusal, sent again). Store it.
    case late
    /// Stored before (its acknowledgement was lost, or the gateway reconnected): acknowledge again, do not store.
    case duplicate
    /// More than the window below the highest stored id and not in the store: refused for good. See `ReceiverLedger`.
    case replayOfOld(highest: UInt64, window: Int)

    /// Whether the head-end stores the reading (and then calls `ReceiverLedger.recordStored`).
    public var stores: Bool {
        switch self {
        case .new, .gap, .late: true
        case .duplicate, .replayOfOld: false
        }
    }

    /// The acknowledgement of gateway transaction `transactionID`, once the reading is stored when `stores`.
    public func acknowledgement(of transactionID: UInt64) -> Acknowledgement {
        switch self {
        case .new, .gap, .late:
            Acknowledgement(transactionID: transactionID, outcome: .accepted)
        case .duplicate:
            Acknowledgement(transactionID: transactionID, outcome: .duplicate)
        case .replayOfOld(let highest, let window):
            Acknowledgement(transactionID: transactionID, outcome: .refused(Refusal(
                reason: .replay, disposition: .final,
                describing: "transaction \(transactionID) is more than \(window) below the last stored (\(highest)) and not stored: refused as a replay"
            )))
        }
    }
}
