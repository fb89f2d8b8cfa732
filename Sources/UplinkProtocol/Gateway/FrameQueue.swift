/// The frames waiting to be sent, in transaction id order. Taken from the front one at a time (O(1), not the
/// O(n) of `Array.removeFirst`, since a long outage can leave tens of thousands of readings in the outbox), appended
/// at the back as the outbox hands new ones over, and merged back in when frames return from flight (rare).
struct FrameQueue: Sendable {
    private var storage: [OutgoingFrame] = []
    private var head = 0

    var count: Int { storage.count - head }
    var first: OutgoingFrame? { head < storage.count ? storage[head] : nil }
    var transactionIDs: [UInt64] { storage[head...].map(\.transactionID) }

    /// Adds a frame whose id is above every queued one.
    mutating func append(_ frame: OutgoingFrame) {
        storage.append(frame)
    }

    mutating func popFirst() -> OutgoingFrame? {
        guard head < storage.count else { return nil }
        defer {
            head += 1
            if head == storage.count {
                storage.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024, head * 2 >= storage.count {
                storage.removeFirst(head)
                head = 0
            }
        }
        return storage[head]
    }

    /// Puts frames back, keeping the whole queue in id order.
    mutating func merge(_ frames: some Sequence<OutgoingFrame>) {
        var merged = Array(storage[head...]) + frames
        merged.sort { $0.transactionID < $1.transactionID }
        storage = merged
        head = 0
    }
}
