/// A use of `GatewaySession` that would break its promises: these are bugs in the caller, reported as errors so a
/// daemon logs them instead of sending frames out of order.
public enum GatewaySessionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A window of fewer than one frame.
    case invalidWindow(Int)
    /// A spread smaller than the window: the window could never fill.
    case spreadBelowWindow(maxSpread: Int, window: Int)
    /// A frame whose transaction id is not above every id the session was given before.
    case notIncreasing(transactionID: UInt64, last: UInt64)

    public var description: String {
        switch self {
        case .invalidWindow(let size):
            "a window of \(size) frames; at least one frame must be allowed in flight"
        case .spreadBelowWindow(let spread, let window):
            "a spread of \(spread) ids is below the window of \(window) frames; the spread is the head-end ledger's window, thousands of ids"
        case .notIncreasing(let id, let last):
            "frame \(id) given after frame \(last); the outbox hands frames over in transaction id order, each once"
        }
    }
}
