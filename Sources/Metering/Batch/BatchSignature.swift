import Signing

/// Signing many frames with one signature, for a token too slow to sign each (a smart card takes 50-500 ms): the
/// frames' signed bytes become the leaves of a `BatchTree`, the key signs the tree's root message once, and each
/// frame's signature field carries its own `BatchProof`, so every frame stays verifiable alone.
///
/// A batch of one is no batch: its field is the key's signature over the frame's signed bytes, byte for byte what a
/// frame signed alone carries, so batching changes nothing on the wire until two frames are waiting.
public enum BatchSignature {
    /// The tree's hash for a key: the hash of the scheme its frames are signed with (`SignedRecord.scheme`), SHA-256
    /// for P-256 and RSA, SHA-384 for P-384, SHA-512 for P-521. A batch is then as strong as a single signature.
    public static func hash(for algorithm: KeyAlgorithm) -> HashAlgorithm {
        SignedRecord.scheme(for: algorithm).hash
    }

    /// The signature field of each of `messages` (frames' signed bytes, in order), made with ONE call of `sign`:
    /// over the message itself for a batch of one, over the root message otherwise. `sign` is how a single frame
    /// is signed today, e.g. `signer.sign(bytes, scheme: SignedRecord.scheme(for: signer.algorithm)).bytes`.
    public static func fields(
        for messages: [[UInt8]], algorithm: KeyAlgorithm, sign: ([UInt8]) async throws -> [UInt8]
    ) async rethrows -> [[UInt8]] {
        switch messages.count {
        case 0: return []
        case 1: return [try await sign(messages[0])]
        default:
            var random = SystemRandomNumberGenerator()
            let tree = BatchTree(messages: messages, hash: hash(for: algorithm), using: &random)
            let rootSignature = try await sign(tree.root.message)
            return messages.indices.map { BatchProof(tree: tree, index: $0, rootSignature: rootSignature).encoded }
        }
    }

    /// Checks `field` over `message`, a frame's signed bytes, with the signer's `key`: a single signature as today,
    /// or a batch proof's path up to its root and the root signature over the root message. Returns what it
    /// checked; a receiver that caches verified roots reads the field with `SignatureField` and checks
    /// `BatchProof.root(over:)` and `BatchRoot.isValidSignature(_:by:)` itself.
    @discardableResult
    public static func verify(_ field: [UInt8], over message: [UInt8], by key: PublicKey) throws(BatchSignatureError) -> SignatureField {
        let read: SignatureField
        do {
            read = try SignatureField(field, algorithm: key.algorithm)
        } catch {
            throw .malformed(error)
        }
        switch read {
        case .single(let signature):
            guard SignerChecks.isValid(signature, over: message, by: key) else { throw .signatureDoesNotVerify }
        case .batch(let proof):
            guard proof.root(over: message).isValidSignature(proof.rootSignature, by: key) else {
                throw .rootSignatureDoesNotVerify(index: proof.index, size: proof.size)
            }
        }
        return read
    }
}
