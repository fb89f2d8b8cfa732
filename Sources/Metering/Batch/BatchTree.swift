import Signing

/// The Merkle tree of a signature batch: RFC 9162 (Certificate Transparency v2) §2.1.1 over n ≥ 1 leaves, split at
/// the largest power of two below n and never padded, so a batch of any size has exactly one tree and every frame's
/// audit path (§2.1.3.1) is as short as the tree allows.
///
/// A leaf is H(0x00 ‖ blinder ‖ message), a node H(0x01 ‖ left ‖ right): the prefixes keep a leaf from passing for a
/// node (RFC 9162 §2.1.1), and the blinder, 32 fresh random bytes per leaf, keeps a path from telling anything about
/// the neighbouring frames whose hashes it carries. Those may be another customer's readings, and without the
/// blinder a reading's few plausible values could be tried against its leaf hash one by one.
public struct BatchTree: Sendable {
    /// Bytes of a leaf's blinder, whatever the hash.
    public static let blinderSize = 32

    public let hash: HashAlgorithm
    public let blinders: [[UInt8]]
    public let root: BatchRoot
    /// Each leaf's audit path, the sibling nearest the leaf first (RFC 9162 §2.1.3.1).
    public let paths: [[[UInt8]]]

    /// The tree over `messages` (the frames' signed bytes) with the given blinders, one of `blinderSize` bytes per
    /// message: how a test pins a tree; signers draw fresh blinders with `init(messages:hash:using:)`.
    public init(messages: [[UInt8]], blinders: [[UInt8]], hash: HashAlgorithm) {
        precondition(!messages.isEmpty && messages.count == blinders.count && messages.count <= Int(UInt32.max),
                     "a batch tree needs one blinder per message and at least one message")
        precondition(blinders.allSatisfy { $0.count == Self.blinderSize }, "a blinder is \(Self.blinderSize) bytes")
        self.hash = hash
        self.blinders = blinders
        var paths = [[[UInt8]]](repeating: [], count: messages.count)
        let leaves = zip(blinders, messages).map { Self.leafHash(blinder: $0, message: $1, hash: hash) }
        let rootHash = Self.subtree(leaves[...], hash: hash, paths: &paths)
        self.paths = paths
        root = BatchRoot(size: UInt32(messages.count), hash: rootHash)
    }

    /// The tree over `messages` with a fresh random blinder for each.
    public init(messages: [[UInt8]], hash: HashAlgorithm, using generator: inout some RandomNumberGenerator) {
        let blinders = messages.map { _ in (0..<Self.blinderSize).map { _ in UInt8.random(in: .min ... .max, using: &generator) } }
        self.init(messages: messages, blinders: blinders, hash: hash)
    }

    public static func leafHash(blinder: [UInt8], message: [UInt8], hash: HashAlgorithm) -> [UInt8] {
        hash.digest([0x00] + blinder + message)
    }

    public static func nodeHash(_ left: [UInt8], _ right: [UInt8], hash: HashAlgorithm) -> [UInt8] {
        hash.digest([0x01] + left + right)
    }

    /// MTH(D[n]) of RFC 9162 §2.1.1 over `leaves`, appending to each leaf's path the sibling subtree at every level
    /// on the way up: all paths for the cost of the tree itself.
    private static func subtree(_ leaves: ArraySlice<[UInt8]>, hash: HashAlgorithm, paths: inout [[[UInt8]]]) -> [UInt8] {
        guard leaves.count > 1 else { return leaves[leaves.startIndex] }
        let split = leaves.startIndex + largestPowerOfTwo(below: leaves.count)
        let left = subtree(leaves[..<split], hash: hash, paths: &paths)
        let right = subtree(leaves[split...], hash: hash, paths: &paths)
        for index in leaves.startIndex..<split { paths[index].append(right) }
        for index in split..<leaves.endIndex { paths[index].append(left) }
        return nodeHash(left, right, hash: hash)
    }

    private static func largestPowerOfTwo(below count: Int) -> Int {
        var power = 1
        while power << 1 < count { power <<= 1 }
        return power
    }

    /// The root that `path` leads to from `leafHash` at `index` in a tree of `size` leaves (RFC 9162 §2.1.3.2), or
    /// nil when the path cannot belong there: an index outside the tree, or a path of another length than that
    /// position has.
    public static func rootHash(leafHash: [UInt8], index: UInt32, size: UInt32, path: [[UInt8]], hash: HashAlgorithm) -> [UInt8]? {
        guard index < size, path.count == pathLength(index: index, size: size) else { return nil }
        var node = leafHash
        walk(index: index, size: size) { step, siblingIsLeft in
            node = siblingIsLeft ? nodeHash(path[step], node, hash: hash) : nodeHash(node, path[step], hash: hash)
        }
        return node
    }

    /// How many hashes the audit path of leaf `index` in a tree of `size` leaves has (0 for a tree of one), so a
    /// decoder can refuse a wrong count before reading any; nil for an index outside the tree.
    public static func pathLength(index: UInt32, size: UInt32) -> Int? {
        guard index < size else { return nil }
        var steps = 0
        walk(index: index, size: size) { _, _ in steps += 1 }
        return steps
    }

    /// The steps of RFC 9162 §2.1.3.2 from leaf `index` up to the root of a tree of `size` leaves: for each hash of
    /// the path, whether it is the left sibling. `fn` is the node's index at the current level, `sn` the last
    /// index there; a node that is the last and a left child has no sibling at that level and moves up unhashed.
    private static func walk(index: UInt32, size: UInt32, _ step: (Int, Bool) -> Void) {
        var (fn, sn) = (index, size - 1)
        var count = 0
        while sn != 0 {
            let siblingIsLeft = fn & 1 == 1 || fn == sn
            step(count, siblingIsLeft)
            count += 1
            if fn & 1 == 0 && fn == sn {
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            }
            fn >>= 1
            sn >>= 1
        }
    }
}
