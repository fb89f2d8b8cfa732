import Logging
import Metrics
import NIOCore
import Synchronization

/// A listener's open connections in the order they were accepted, each either waiting for its client's request or
/// busy answering it, and the listener's connection limit.
///
/// **At the limit, the connection that has waited longest for its request is closed** to admit the new one. A
/// client that connects to ask something sends its request at once, so while a flood of silent or trickling
/// connections fills the listener it is the newest waiting connection, not the oldest: it is answered within its
/// round trip rather than after the flood's idle timeout, and pkid never holds more descriptors than the limit
/// (plus the few closes still in flight, at most `evictionSlack`). Busy connections are never closed for room.
/// **When every connection is busy**, nothing can be closed: the listener stops accepting (`ConnectionLimiter`)
/// and the kernel's accept queue holds newcomers until an answer is done. An attacker who opens connections faster
/// than a legitimate client's round trip can still crowd it out; the limit only makes sure that pkid survives it
/// and serves again the moment the flood stops.
///
/// Connections only ever go waiting → busy → closed (one request per connection), so the oldest waiting one is
/// found by skipping finished entries at the front of `order` once, never by searching the whole table.
final class ConnectionRegistry: Sendable {
    /// One admitted connection's key.
    struct Ticket: Hashable, Sendable {
        fileprivate let number: UInt64
    }

    private struct Entry {
        let channel: any Channel
        var busy = false
        var evicting = false
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var order: [UInt64] = []
        var front = 0
        var next: UInt64 = 0
        var evicting = 0
        var waiting = 0
        /// Whether the listener should accept, as last told to `changed`.
        var accepting = true
        var changed: (@Sendable () -> Void)?
        /// A warning was logged on reaching the limit; the next one waits until the listener has room again.
        var warned = false
        /// The most connections open since the heap was last trimmed.
        var peak = 0
    }

    /// Closes on top of the limit that may be in flight before the listener refuses newcomers outright.
    static let evictionSlack = 16

    let limit: Int
    private let state = Mutex(State())
    private let logger: Logger
    private let evictions: Counter

    init(limit: Int, listener: String, logger: Logger) {
        self.limit = max(1, limit)
        self.logger = logger
        evictions = Counter(label: "http_connections_dropped_total", dimensions: [("listener", listener), ("reason", "limit")])
    }

    /// Admits a newly accepted connection, closing the oldest waiting one if the listener is full; nil when it is
    /// full of busy connections (the caller closes the newcomer at once).
    func admit(_ channel: any Channel) -> Ticket? {
        let (ticket, victim, full, changed) = state.withLock { state -> (Ticket?, (any Channel)?, Bool, (@Sendable () -> Void)?) in
            var victim: (any Channel)?
            let warn = !state.warned && state.entries.count - state.evicting >= limit
            if warn { state.warned = true }
            if state.entries.count - state.evicting >= limit {
                guard state.entries.count < limit + Self.evictionSlack, let oldest = Self.oldestWaiting(&state) else {
                    return (nil, nil, warn, Self.update(&state, limit: limit))
                }
                state.entries[oldest]?.evicting = true
                state.evicting += 1
                state.waiting -= 1
                victim = state.entries[oldest]?.channel
            }
            let number = state.next
            state.next += 1
            state.entries[number] = Entry(channel: channel)
            state.order.append(number)
            state.waiting += 1
            state.peak = max(state.peak, state.entries.count)
            Self.compact(&state)
            return (Ticket(number: number), victim, warn, Self.update(&state, limit: limit))
        }
        changed?()
        if full {
            logger.warning("\(limit) connections open, the listener's limit: closing those that waited longest for their request")
        }
        if let victim {
            evictions.increment()
            logger.debug("closing the oldest waiting connection for room", metadata: ["peer": "\(HTTPServer.describe(victim.remoteAddress))"])
            victim.close(promise: nil)
        }
        if let ticket {
            channel.closeFuture.whenComplete { _ in self.remove(ticket) }
        } else {
            evictions.increment()
        }
        return ticket
    }

    /// The connection's request is complete and being answered: it is no longer closed for room.
    func markBusy(_ ticket: Ticket) {
        let changed = state.withLock { state -> (@Sendable () -> Void)? in
            guard let entry = state.entries[ticket.number], !entry.busy, !entry.evicting else { return nil }
            state.entries[ticket.number]?.busy = true
            state.waiting -= 1
            return Self.update(&state, limit: limit)
        }
        changed?()
    }

    /// Whether the listener should accept now: below the limit, or at it with a waiting connection to close.
    var accepts: Bool { state.withLock { Self.accepts($0, limit: limit) } }

    /// `changed` is called (on any thread) whenever `accepts` may have changed; the listener reads `accepts` again.
    func onChange(_ changed: @escaping @Sendable () -> Void) {
        state.withLock { $0.changed = changed }
    }

    /// Every open connection, for a shutdown to wait for and then close.
    var snapshot: [any Channel] { state.withLock { $0.entries.values.map(\.channel) } }

    private func remove(_ ticket: Ticket) {
        let (changed, trim) = state.withLock { state -> ((@Sendable () -> Void)?, Bool) in
            guard let entry = state.entries.removeValue(forKey: ticket.number) else { return (nil, false) }
            if entry.evicting { state.evicting -= 1 } else if !entry.busy { state.waiting -= 1 }
            if state.entries.count < limit * 9 / 10 { state.warned = false }
            // A flood has gone: the connections fell to an eighth of a peak that was one.
            let trim = state.peak >= max(64, limit / 4) && state.entries.count <= state.peak / 8
            if trim { state.peak = state.entries.count }
            return (Self.update(&state, limit: limit), trim)
        }
        changed?()
        if trim { HeapTrim.returnFreeMemory() }
    }

    /// The listener's callback when whether to accept has flipped, else nil.
    private static func update(_ state: inout State, limit: Int) -> (@Sendable () -> Void)? {
        let now = accepts(state, limit: limit)
        guard now != state.accepting else { return nil }
        state.accepting = now
        return state.changed
    }

    private static func accepts(_ state: State, limit: Int) -> Bool {
        let held = state.entries.count - state.evicting
        return held < limit || (state.waiting > 0 && state.entries.count < limit + evictionSlack)
    }

    /// The oldest connection still waiting for its request, dropping finished ones from the front of the order.
    private static func oldestWaiting(_ state: inout State) -> UInt64? {
        while state.front < state.order.count {
            let number = state.order[state.front]
            state.front += 1
            if let entry = state.entries[number], !entry.busy, !entry.evicting { return number }
        }
        return nil
    }

    /// Drops closed connections from the order once they are most of it, so it stays within twice the open ones
    /// however many connections a long-running listener has seen (amortized constant time per connection).
    private static func compact(_ state: inout State) {
        guard state.order.count - state.front > 2 * state.entries.count + 1_024 else { return }
        let entries = state.entries
        state.order = state.order[state.front...].filter { entries[$0] != nil }
        state.front = 0
    }
}
