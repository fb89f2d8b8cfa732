import Synchronization

/// Whether the gateway may use its token now: the one answer the signing stage and the uplink wait on.
///
/// It closes while the card is out of its reader (`cardRemoved`: nothing is signed, the uplink drops its TLS
/// connection, whose client key is on the card) and after a failure only a person can fix (`stopped`: a blocked
/// PIN, a different card; nothing tries again until a card is inserted). Polling never waits on it: readings go
/// on into the outbox, unsigned, and are signed in order when it opens.
public final class TokenGate: Sendable {
    public enum State: Sendable, Hashable {
        case open
        case cardRemoved(reader: String)
        case stopped(reason: String)

        public var isOpen: Bool { self == .open }
    }

    private struct Watchers {
        var state: State = .open
        var next = 0
        var continuations: [Int: AsyncStream<State>.Continuation] = [:]
    }

    private let watchers = Mutex(Watchers())

    public init() {}

    public var state: State { watchers.withLock { $0.state } }

    /// Sets the state; everyone waiting or watching hears of a change.
    public func set(_ state: State) {
        let continuations = watchers.withLock { watchers -> [AsyncStream<State>.Continuation] in
            guard watchers.state != state else { return [] }
            watchers.state = state
            return Array(watchers.continuations.values)
        }
        for continuation in continuations { continuation.yield(state) }
    }

    /// The state now, then every change, until the caller stops listening or its task is cancelled.
    public func changes() -> AsyncStream<State> {
        let (stream, continuation) = AsyncStream<State>.makeStream(bufferingPolicy: .bufferingNewest(8))
        let id = watchers.withLock { watchers in
            let id = watchers.next
            watchers.next += 1
            watchers.continuations[id] = continuation
            continuation.yield(watchers.state)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.watchers.withLock { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    /// Returns once the gate is open, or when the calling task is cancelled.
    public func waitUntilOpen() async {
        if state.isOpen { return }
        for await state in changes() where state.isOpen { return }
    }
}
