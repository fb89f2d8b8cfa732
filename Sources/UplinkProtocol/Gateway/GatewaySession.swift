import Metering

/// The gateway's side of the uplink, without I/O: which signed records go out next, which are in flight, and what
/// each verified acknowledgement means for them. The daemon moves the bytes and calls in; tests drive it with values
/// and bytes alone, as dlms-cosem keeps its connection state machine apart from its sockets.
///
/// The rules it keeps:
/// - Frames go out in transaction id order, at most `window` unacknowledged at once (`nextToSend()`).
/// - An acknowledgement is taken only for a frame in flight; acknowledgements may come in any order.
/// - Accepted and duplicate both deliver the frame (a duplicate means the head-end stored it before, e.g. when its
///   first acknowledgement was lost); a final refusal takes it out of the session for good.
/// - A retry-later refusal puts the frame back in the queue and holds all sending until `retryNow()`, which the
///   daemon calls after its back-off. Holding everything, not only that frame, is deliberate: retry-later means the
///   head-end cannot check the gateway's certificate or reach its store, which holds for the next frames as much.
/// - No frame goes out `maxSpread` or more ids above the oldest one in flight. The head-end's `ReceiverLedger` tells
///   a late frame from a replay only within its window of the highest id it stored; since a frame sent again (after
///   a retry-later or a lost connection) goes out before anything newer, this keeps every frame within that window
///   when it arrives, however often one frame is refused for later while the ones after it are accepted.
/// - When the connection is lost, every frame in flight returns to the queue in id order and is sent again, first,
///   once `connectionEstablished()` is called. Nothing is lost (an unacknowledged frame is in flight or queued) and
///   nothing is stored twice (the head-end answers a frame it holds with a duplicate acknowledgement).
///
/// Only verified acknowledgements are handed in (`AcknowledgementVerification.acknowledgement`); one that failed
/// verification changes nothing here, so its frame stays in flight and is sent again after the next reconnect.
public struct GatewaySession: Sendable {
    /// How many frames may be unacknowledged at once.
    public let window: Int
    /// How far above the oldest frame in flight a frame may be sent, in transaction ids; at most the head-end's
    /// ledger window (both default to `ReceiverLedger.defaultWindow`).
    public let maxSpread: UInt64
    public private(set) var isConnected = false
    /// Whether sending waits for `retryNow()` after a retry-later refusal.
    public private(set) var isHolding = false
    private var queue = FrameQueue()
    private var inFlight: [UInt64: OutgoingFrame] = [:]
    private var lastEnqueued: UInt64?

    public init(window: Int, maxSpread: Int = ReceiverLedger.defaultWindow) throws(GatewaySessionError) {
        guard window >= 1 else { throw .invalidWindow(window) }
        guard maxSpread >= window else { throw .spreadBelowWindow(maxSpread: maxSpread, window: window) }
        self.window = window
        self.maxSpread = UInt64(maxSpread)
    }

    /// The ids sent and not yet acknowledged, ascending: what `AcknowledgementVerifier` is told was sent.
    public var inFlightIDs: [UInt64] { inFlight.keys.sorted() }
    /// The ids waiting to be sent, in the order they will go.
    public var queuedIDs: [UInt64] { queue.transactionIDs }
    /// Whether any frame is in flight or queued.
    public var isIdle: Bool { inFlight.isEmpty && queue.count == 0 }

    /// Hands over a frame from the outbox. Frames come in transaction id order, each once; after a restart the daemon
    /// starts a new session and hands over what the outbox still holds.
    public mutating func enqueue(_ frame: OutgoingFrame) throws(GatewaySessionError) {
        if let lastEnqueued, frame.transactionID <= lastEnqueued {
            throw .notIncreasing(transactionID: frame.transactionID, last: lastEnqueued)
        }
        lastEnqueued = frame.transactionID
        queue.append(frame)
    }

    public mutating func connectionEstablished() {
        isConnected = true
    }

    /// The next frame to write, now counted in flight; nil while disconnected, holding, with `window` frames in
    /// flight, with the next frame `maxSpread` above the oldest in flight, or with nothing queued.
    public mutating func nextToSend() -> OutgoingFrame? {
        guard isConnected, !isHolding, inFlight.count < window, let next = queue.first else { return nil }
        // A frame below the oldest in flight (one held back by a retry-later) is always allowed: it narrows the spread.
        if let oldest = inFlight.keys.min(), next.transactionID > oldest, next.transactionID - oldest >= maxSpread { return nil }
        guard let frame = queue.popFirst() else { return nil }
        inFlight[frame.transactionID] = frame
        return frame
    }

    /// What a verified acknowledgement means for its frame.
    public mutating func received(_ acknowledgement: Acknowledgement) -> SessionEvent {
        let id = acknowledgement.transactionID
        guard let frame = inFlight.removeValue(forKey: id) else { return .ignored(id) }
        switch acknowledgement.outcome {
        case .accepted, .duplicate:
            return .delivered(id)
        case .refused(let refusal) where refusal.disposition == .retryLater:
            queue.merge([frame])
            isHolding = true
            return .retryLater(id, refusal)
        case .refused(let refusal):
            return .refusedFinal(id, refusal)
        }
    }

    /// The daemon's back-off after a retry-later refusal is over: sending resumes with the frames held back.
    public mutating func retryNow() {
        isHolding = false
    }

    /// The connection is gone: whatever was in flight may or may not have arrived, so all of it is queued again, in
    /// id order, ahead of frames not sent yet. A late acknowledgement from the old connection is ignored while its frame
    /// waits in the queue.
    public mutating func connectionLost() {
        isConnected = false
        queue.merge(inFlight.values)
        inFlight.removeAll()
    }
}
