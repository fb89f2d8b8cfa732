import Synchronization

/// The frames a connection's reader has received and its processor has not taken yet: the reader appends each as it
/// arrives, the processor takes everything buffered at once (up to a batch), waiting only when nothing is there. So
/// a batch is whatever arrived while the previous one was processed: one frame at one reading a second, up to a batch
/// under a burst, and never a wait to fill one.
///
/// Bounded: the reader waits while `capacity` frames are buffered, so a gateway that sends faster than the head-end
/// stores is held back by TCP as before.
final class FrameBuffer<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        /// Set once the reader ended: nil for the end of the stream, the error otherwise.
        var ended: (any Error)?? = .none
        /// The processor, waiting for a frame.
        var taker: CheckedContinuation<Void, Never>?
        /// The reader, waiting for room.
        var appender: CheckedContinuation<Void, Never>?
        /// The processor is gone: appends are dropped.
        var closed = false
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Buffers `element`, first waiting for room while `capacity` are buffered; dropped once `close` was called.
    func append(_ element: Element) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resume = state.withLock { state -> Bool in
                if state.closed || state.items.count < capacity { return true }
                state.appender = continuation
                return false
            }
            if resume { continuation.resume() }
        }
        let taker = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.closed else { return nil }
            state.items.append(element)
            defer { state.taker = nil }
            return state.taker
        }
        taker?.resume()
    }

    /// The reader ended: with nil at the end of the stream, with its error otherwise. What is buffered is still taken.
    func finish(_ error: (any Error)?) {
        let taker = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.ended == nil { state.ended = .some(error) }
            defer { state.taker = nil }
            return state.taker
        }
        taker?.resume()
    }

    /// Up to `limit` buffered elements, in order, waiting only while none is buffered; nil once the reader ended and
    /// everything was taken, or its error.
    func take(_ limit: Int) async throws -> [Element]? {
        while true {
            let result = state.withLock { state -> Result<[Element]?, any Error>? in
                if !state.items.isEmpty {
                    let count = min(limit, state.items.count)
                    let taken = Array(state.items.prefix(count))
                    state.items.removeFirst(count)
                    return .success(taken)
                }
                switch state.ended {
                case .none: return nil
                case .some(.none): return .success(nil)
                case .some(.some(let error)): return .failure(error)
                }
            }
            if let result {
                let appender = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    defer { state.appender = nil }
                    return state.appender
                }
                appender?.resume()
                return try result.get()
            }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resume = state.withLock { state -> Bool in
                    if !state.items.isEmpty || state.ended != nil { return true }
                    state.taker = continuation
                    return false
                }
                if resume { continuation.resume() }
            }
        }
    }

    /// The processor is gone: a waiting reader goes on (and drops what it appends) until its stream ends.
    func close() {
        let appender = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            state.items.removeAll()
            defer { state.appender = nil }
            return state.appender
        }
        appender?.resume()
    }
}
