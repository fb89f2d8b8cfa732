import Synchronization

/// The batch roots whose signature a receiver has checked, so that the other frames of a batch cost a path of
/// hashes, not a signature each: a head-end gets up to 64 frames under one root from a gateway with a slow card.
///
/// A root counts as checked together with the signature's bytes and the signer's key: a frame that carries a known
/// root but another signature (garbage, or another key's) is checked in full, and refused, as offline verification
/// would refuse it. Bounded: past `capacity` roots the oldest is forgotten, and its next frame checks it again.
public final class VerifiedBatchRoots: Sendable {
    struct Entry: Hashable {
        let root: BatchRoot
        let signature: [UInt8]
        let signer: [UInt8]
    }

    public let capacity: Int
    private let state = Mutex<(known: Set<Entry>, order: [Entry], oldest: Int)>(([], [], 0))

    public init(capacity: Int = 4096) {
        self.capacity = max(1, capacity)
    }

    /// Whether `root` with `signature` by the key `signer` (its SubjectPublicKeyInfo DER) was recorded as verified.
    func contains(_ root: BatchRoot, signature: [UInt8], signer: [UInt8]) -> Bool {
        state.withLock { $0.known.contains(Entry(root: root, signature: signature, signer: signer)) }
    }

    /// Records that `signature` by `signer` verified over `root`'s message.
    func insert(_ root: BatchRoot, signature: [UInt8], signer: [UInt8]) {
        let entry = Entry(root: root, signature: signature, signer: signer)
        state.withLock { state in
            guard state.known.insert(entry).inserted else { return }
            if state.order.count < capacity {
                state.order.append(entry)
            } else {
                // A ring over `order`: the slot of the oldest entry takes the newest.
                state.known.remove(state.order[state.oldest])
                state.order[state.oldest] = entry
                state.oldest = (state.oldest + 1) % capacity
            }
        }
    }

    public var count: Int { state.withLock { $0.known.count } }
}
