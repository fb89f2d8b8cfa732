import COSEM
import Signing

/// One frame's share of a batch signature, carried in general-signing's `signature` field in place of a single
/// signature: enough to check the frame alone and offline, with no other frame of its batch.
///
/// The layout, every integer big-endian:
///
///     BA                     marker
///     01                     version
///     hh                     hash length: 32 (SHA-256), 48 (SHA-384) or 64 (SHA-512)
///     iiiiiiii               the frame's leaf index (u32)
///     ssssssss               the tree's size (u32), at least 2
///     blinder                32 bytes
///     cc                     how many path hashes follow: exactly as many as index and size need
///     path                   cc × hh bytes, the sibling nearest the leaf first (RFC 9162 §2.1.3.1)
///     root signature         the rest: the key's signature over the root message (`BatchRoot.message`)
///
/// The field is always longer than a single signature of the same key, since it holds one plus at least 44 bytes,
/// and every verifier holds a signature to the key's exact length: one that does not know batch proofs refuses the
/// frame instead of misreading it.
public struct BatchProof: Sendable, Hashable {
    public static let marker: UInt8 = 0xBA
    public static let version: UInt8 = 0x01
    /// The bytes before the path: marker, version, hash length, index, size, blinder, path count.
    static let headerSize = 3 + 4 + 4 + BatchTree.blinderSize + 1

    public let hash: HashAlgorithm
    public let index: UInt32
    public let size: UInt32
    public let blinder: [UInt8]
    public let path: [[UInt8]]
    public let rootSignature: [UInt8]

    /// Leaf `index`'s proof in `tree`, whose root `rootSignature` signs.
    init(tree: BatchTree, index: Int, rootSignature: [UInt8]) {
        hash = tree.hash
        self.index = UInt32(index)
        size = tree.root.size
        blinder = tree.blinders[index]
        path = tree.paths[index]
        self.rootSignature = rootSignature
    }

    /// Reads a signature field that starts with the marker. Whatever the bytes, it throws a `BatchProofError` or
    /// gives a proof whose path has exactly the length its index and size need, and allocates no more than the
    /// field's own length.
    public init(decoding field: [UInt8]) throws(BatchProofError) {
        var reader = ByteReader(field)
        do {
            let marker = try reader.u8()
            guard marker == Self.marker else { throw BatchProofError.missingMarker(found: marker) }
            let version = try reader.u8()
            guard version == Self.version else { throw BatchProofError.unknownVersion(version) }
            let hashLength = Int(try reader.u8())
            guard let hash = HashAlgorithm.allCases.first(where: { $0.digestSize == hashLength }) else {
                throw BatchProofError.hashLength(hashLength)
            }
            guard field.count >= Self.headerSize else { throw BatchProofError.truncated(length: field.count, needed: Self.headerSize) }
            let (index, size) = (try reader.u32(), try reader.u32())
            guard size > 0 else { throw BatchProofError.emptyTree }
            guard size > 1 else { throw BatchProofError.singleFrameInProofForm }
            guard let expected = BatchTree.pathLength(index: index, size: size) else {
                throw BatchProofError.indexOutsideTree(index: index, size: size)
            }
            blinder = try reader.bytes(BatchTree.blinderSize)
            let count = Int(try reader.u8())
            guard count == expected else { throw BatchProofError.pathLength(found: count, expected: expected) }
            let needed = Self.headerSize + count * hashLength
            guard field.count >= needed else { throw BatchProofError.truncated(length: field.count, needed: needed) }
            var path: [[UInt8]] = []
            for _ in 0..<count { path.append(try reader.bytes(hashLength)) }
            self.path = path
            guard reader.remaining > 0 else { throw BatchProofError.missingRootSignature }
            rootSignature = try reader.bytes(reader.remaining)
            (self.hash, self.index, self.size) = (hash, index, size)
        } catch let error as BatchProofError {
            throw error
        } catch {
            // The reader only throws when the field ends early; every length was checked before reading it.
            throw .truncated(length: field.count, needed: reader.offset + 1)
        }
    }

    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: Self.headerSize + path.count * hash.digestSize + rootSignature.count)
        writer.u8(Self.marker)
        writer.u8(Self.version)
        writer.u8(UInt8(hash.digestSize))
        writer.u32(index)
        writer.u32(size)
        writer.bytes(blinder)
        writer.u8(UInt8(path.count))
        for node in path { writer.bytes(node) }
        writer.bytes(rootSignature)
        return writer.bytes
    }

    /// The root this proof leads to from `message`, the frame's signed bytes: what `rootSignature` must sign.
    /// A changed message, blinder, index, size or path gives another root, whose signature then fails.
    public func root(over message: [UInt8]) -> BatchRoot {
        let leaf = BatchTree.leafHash(blinder: blinder, message: message, hash: hash)
        // A decoded or built proof's path always fits its index and size (checked when it was read).
        let rootHash = BatchTree.rootHash(leafHash: leaf, index: index, size: size, path: path, hash: hash) ?? []
        return BatchRoot(size: size, hash: rootHash)
    }
}
