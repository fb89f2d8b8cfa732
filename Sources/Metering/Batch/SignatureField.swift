import Signing

/// What a frame's general-signing `signature` field holds, read against the key that should have made it: a single
/// signature, or a batch proof.
///
/// The length tells them apart, never the first byte alone (a single signature starts with 0xBA one time in 256):
/// a field no longer than the key's signature is a single signature, one longer must be a batch proof whose hashes
/// are the key's scheme's and whose root signature has the key's signature length.
public enum SignatureField: Sendable, Hashable {
    case single([UInt8])
    case batch(BatchProof)

    public init(_ field: [UInt8], algorithm: KeyAlgorithm) throws(BatchProofError) {
        let signatureSize = algorithm.signatureSize
        guard field.count > signatureSize else {
            self = .single(field)
            return
        }
        guard field.first == BatchProof.marker else { throw .notABatchProof(length: field.count, signatureSize: signatureSize) }
        let proof = try BatchProof(decoding: field)
        let hash = BatchSignature.hash(for: algorithm)
        guard proof.hash == hash else { throw .hashNotTheKeys(length: proof.hash.digestSize, expected: hash.digestSize) }
        guard proof.rootSignature.count == signatureSize else {
            throw .rootSignatureLength(found: proof.rootSignature.count, expected: signatureSize)
        }
        self = .batch(proof)
    }
}
