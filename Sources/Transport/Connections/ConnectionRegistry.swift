import Logging
import Metrics
import NIOCore
import Synchronization

/// A listener's open connections in the order they were accepted, each either waiting for its client (its
/// request, or on the head-end's gateway port its TLS handshake) or busy (being answered; an authenticated
/// gateway), and the listener's connection limit.
///
/// **At the limit, the connection that has waited longest is closed** to admit the new one. A client that connects
/// to ask something (or a gateway that connects to deliver) starts at once, so while a flood of silent or trickling
/// connections fills the listener it is the newest waiting connection, not the oldest: it gets through within its
/// round trip rather than after the flood's timeouts, and the process never holds more descriptors than the limit
/// (plus the few closes still in flight, at most `evictionSlack`). Busy connections are never closed for room.
/// **When every connection is busy**, nothing can be closed: the listener stops accepting (`ConnectionLimiter`)
/// and the kernel's accept queue holds newcomers until one is done.
///
/// Two optional bounds narrow what waiting connections may take, for the head-end's gateway port:
/// - `maxWaiting` below the limit keeps the rest for busy (authenticated) connections: a flood of handshakes never
///   takes the last `limit - maxWaiting` slots, whatever it does.
/// - `maxWaitingPerAddress`: one source address holds at most this many waiting connections; its next one closes
///   its own oldest. A flood from one address then churns within its own share and never closes the connection of
///   a gateway elsewhere, however fast it reconnects. (A flood from many addresses still competes with a gateway's
///   handshake for the oldest-first eviction: it has to finish its handshake before `maxWaiting` newer ones arrive.)
///
/// Connections only ever go waiting → busy → closed, so the oldest waiting one is found by skipping finished
/// entries at the front of `order` once, never by searching the whole table. Every table empties when the
/// connections are gone: a flood leaves no bookkeeping behind.
public final class ConnectionRegistry: Sendable {
    /// One admitted connection's key.
    public struct Ticket: Hashable, Sendable {
        fileprivate let number: UInt64
    }

    private struct Entry {
        let channel: any Channel
        /// The source address, when waiting connections are bounded per address.
        let address: String?
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
        /// Waiting connections by source address, oldest first (only with `maxWaitingPerAddress`).
        var waitingByAddress: [String: [UInt64]] = [:]
        /// Whether the listener should accept, as last told to `changed`.
        var accepting = true
        var changed: (@Sendable () -> Void)?
        /// The most connections open since the heap was last trimmed.
        var peak = 0
        /// Connections admitted since the heap was last trimmed.
        var admitted = 0
        /// Connections that became busy since the registry was made.
        var everBusy = 0
    }

    /// Closes on top of the limit that may be in flight before the listener refuses newcomers outright.
    public static let evictionSlack = 16

    public let limit: Int
    /// At most this many connections wait at once (the limit unless told otherwise).
    public let maxWaiting: Int
    /// At most this many waiting connections per source address (no bound when nil).
    public let maxWaitingPerAddress: Int?
    private let state = Mutex(State())
    private let events: RepeatedEventLog
    private let evictions: Counter

    /// - Parameters:
    ///   - listener: names the listener in `http_connections_dropped_total`.
    ///   - events: where evictions are logged, one line per interval with a count.
    public init(limit: Int, maxWaiting: Int? = nil, maxWaitingPerAddress: Int? = nil, listener: String, events: RepeatedEventLog) {
        self.limit = max(1, limit)
        self.maxWaiting = min(self.limit, max(1, maxWaiting ?? limit))
        self.maxWaitingPerAddress = maxWaitingPerAddress.map { max(1, $0) }
        self.events = events
        evictions = Counter(label: "http_connections_dropped_total", dimensions: [("listener", listener), ("reason", "limit")])
    }

    private enum Admission {
        case admitted(Ticket, victim: (any Channel)?, perAddress: Bool)
        case refused
    }

    /// Admits a newly accepted connection, closing the oldest waiting one (of its address, or of all) when a bound
    /// is reached; nil when the listener is full of busy connections (the caller closes the newcomer at once).
    public func admit(_ channel: any Channel) -> Ticket? {
        let address = maxWaitingPerAddress == nil ? nil : (channel.remoteAddress?.ipAddress ?? "unknown")
        let (admission, changed) = state.withLock { state -> (Admission, (@Sendable () -> Void)?) in
            var victim: UInt64?
            var perAddress = false
            if let address, let bound = maxWaitingPerAddress, let own = state.waitingByAddress[address], own.count >= bound {
                guard state.entries.count < limit + Self.evictionSlack else { return (.refused, Self.update(&state, self)) }
                victim = own.first
                perAddress = true
            } else if state.entries.count - state.evicting >= limit || state.waiting >= maxWaiting {
                guard state.entries.count < limit + Self.evictionSlack, let oldest = Self.oldestWaiting(&state) else {
                    return (.refused, Self.update(&state, self))
                }
                victim = oldest
            }
            var victimChannel: (any Channel)?
            if let victim, let entry = state.entries[victim] {
                state.entries[victim]?.evicting = true
                state.evicting += 1
                Self.stopWaiting(victim, entry, &state)
                victimChannel = entry.channel
            }
            let number = state.next
            state.next += 1
            state.entries[number] = Entry(channel: channel, address: address)
            state.order.append(number)
            state.waiting += 1
            if let address { state.waitingByAddress[address, default: []].append(number) }
            state.peak = max(state.peak, state.entries.count)
            state.admitted += 1
            Self.compact(&state)
            return (.admitted(Ticket(number: number), victim: victimChannel, perAddress: perAddress), Self.update(&state, self))
        }
        changed?()
        switch admission {
        case .refused:
            evictions.increment()
            events.log("limit-busy", level: .warning, "\(limit) connections open, all of them busy: closing a new connection",
                       metadata: ["peer": "\(SocketAddress.describe(channel.remoteAddress))"])
            return nil
        case .admitted(let ticket, let victim, let perAddress):
            if let victim {
                if perAddress, let bound = maxWaitingPerAddress {
                    events.log("limit-address", level: .warning,
                               "\(bound) connections from one address are still waiting (their handshake or request): closing its oldest",
                               metadata: ["peer": "\(SocketAddress.describe(victim.remoteAddress))"])
                } else {
                    events.log("limit", level: .warning,
                               "\(limit) connections open, the listener's limit (\(maxWaiting) may wait for their client): closing the one that waited longest",
                               metadata: ["peer": "\(SocketAddress.describe(victim.remoteAddress))"])
                }
                // Checked, counted and closed on the victim's own event loop, where its idle timeout runs too: a victim
                // that timeout closed first is not counted twice, and the count is in before its client sees the close.
                let evictions = self.evictions
                victim.eventLoop.execute {
                    guard victim.isActive else { return }
                    evictions.increment()
                    victim.close(promise: nil)
                }
            }
            channel.closeFuture.whenComplete { _ in self.remove(ticket) }
            return ticket
        }
    }

    /// The connection's client is served (its request complete, or its handshake done): it is no longer closed for room.
    public func markBusy(_ ticket: Ticket) {
        let changed = state.withLock { state -> (@Sendable () -> Void)? in
            guard let entry = state.entries[ticket.number], !entry.busy, !entry.evicting else { return nil }
            state.entries[ticket.number]?.busy = true
            state.everBusy += 1
            Self.stopWaiting(ticket.number, entry, &state)
            return Self.update(&state, self)
        }
        changed?()
    }

    /// Whether the listener should accept now: below the limit, or at it with a waiting connection to close.
    public var accepts: Bool { state.withLock { Self.accepts($0, limit: limit) } }

    /// `changed` is called (on any thread) whenever `accepts` may have changed; the listener reads `accepts` again.
    public func onChange(_ changed: @escaping @Sendable () -> Void) {
        state.withLock { $0.changed = changed }
    }

    /// Every open connection, for a shutdown to wait for and then close.
    public var snapshot: [any Channel] { state.withLock { $0.entries.values.map(\.channel) } }

    /// What the registry holds: open connections, waiting ones, entries of its accept order and source addresses
    /// tracked. All four are zero once the connections are gone, however many came and went.
    public var held: (open: Int, waiting: Int, order: Int, addresses: Int) {
        state.withLock { ($0.entries.count, $0.waiting, $0.order.count - $0.front, $0.waitingByAddress.count) }
    }

    /// How many connections became busy (answered, or authenticated) since the registry was made.
    public var everBusy: Int { state.withLock { $0.everBusy } }

    private func remove(_ ticket: Ticket) {
        let (changed, trim) = state.withLock { state -> ((@Sendable () -> Void)?, Bool) in
            guard let entry = state.entries.removeValue(forKey: ticket.number) else { return (nil, false) }
            if entry.evicting { state.evicting -= 1 } else if !entry.busy { Self.stopWaiting(ticket.number, entry, &state) }
            if state.entries.isEmpty {
                state.order = []
                state.front = 0
            }
            // A flood has gone: the connections fell to an eighth of a peak that was one, or of any peak after many
            // connections came and went (the bounds per address keep a fast flood's peak low, not its churn: on the
            // head-end, 17,686 short connections left RSS 8 MB higher with never more than 150 open at once).
            let flood = max(64, limit / 4)
            let trim = (state.peak >= flood || state.admitted >= 4 * flood) && state.entries.count <= state.peak / 8
            if trim {
                state.peak = state.entries.count
                state.admitted = 0
            }
            return (Self.update(&state, self), trim)
        }
        changed?()
        if trim { HeapTrim.returnFreeMemory() }
    }

    /// A waiting connection is no longer: busy, closed or being closed.
    private static func stopWaiting(_ number: UInt64, _ entry: Entry, _ state: inout State) {
        state.waiting -= 1
        guard let address = entry.address, var own = state.waitingByAddress[address] else { return }
        own.removeAll { $0 == number }
        state.waitingByAddress[address] = own.isEmpty ? nil : own
    }

    /// The listener's callback when whether to accept has flipped, else nil.
    private static func update(_ state: inout State, _ registry: ConnectionRegistry) -> (@Sendable () -> Void)? {
        let now = accepts(state, limit: registry.limit)
        guard now != state.accepting else { return nil }
        state.accepting = now
        return state.changed
    }

    private static func accepts(_ state: State, limit: Int) -> Bool {
        let held = state.entries.count - state.evicting
        return held < limit || (state.waiting > 0 && state.entries.count < limit + evictionSlack)
    }

    /// The oldest connection still waiting, dropping finished ones from the front of the order.
    private static func oldestWaiting(_ state: inout State) -> UInt64? {
        while state.front < state.order.count {
            let number = state.order[state.front]
            state.front += 1
            // One closing already (its timeout fired) makes no room that is not coming anyway, and is not dropped twice.
            if let entry = state.entries[number], !entry.busy, !entry.evicting, entry.channel.isActive { return number }
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
