/// Why a signature field is not a batch proof the receiver can check. A signature field is input from the
/// network or an evidence file, so each way it can be wrong has its own case and none of them traps.
public enum BatchProofError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Longer than the key's signature but not marked as a batch proof.
    case notABatchProof(length: Int, signatureSize: Int)
    /// Does not start with the batch proof's marker, 0xBA.
    case missingMarker(found: UInt8)
    /// Ends before a field the layout needs: `needed` bytes at least, `length` there.
    case truncated(length: Int, needed: Int)
    case unknownVersion(UInt8)
    /// A hash length that is no SHA-2 hash of the project's keys.
    case hashLength(Int)
    /// A hash other than the one of the key's signature scheme.
    case hashNotTheKeys(length: Int, expected: Int)
    case emptyTree
    /// A tree of one is sent as a plain signature, never as a proof.
    case singleFrameInProofForm
    case indexOutsideTree(index: UInt32, size: UInt32)
    case pathLength(found: Int, expected: Int)
    case missingRootSignature
    /// A root signature of another length than the key's signatures.
    case rootSignatureLength(found: Int, expected: Int)

    public var description: String {
        switch self {
        case .notABatchProof(let length, let size):
            "the signature field has \(length) bytes, more than the key's \(size)-byte signature, and is no batch proof: the frame is damaged or from another signer"
        case .missingMarker(let found):
            "a batch proof starts with 0xBA, this field with 0x\(String(found, radix: 16, uppercase: true)): the frame is damaged or from another signer"
        case .truncated(let length, let needed):
            "the batch proof ends after \(length) bytes, at least \(needed) needed: the frame was cut or damaged"
        case .unknownVersion(let version):
            "batch proof version \(version) is unknown (this receiver reads version 1): update the receiver or make the gateway sign frames one by one"
        case .hashLength(let length):
            "a batch proof's hashes of \(length) bytes are no SHA-256, SHA-384 or SHA-512: the frame is damaged"
        case .hashNotTheKeys(let length, let expected):
            "the batch proof hashes with \(length)-byte hashes, but the signer's key signs with \(expected)-byte ones: the frame is damaged or forged"
        case .emptyTree:
            "the batch proof names a tree of no frames: the frame is damaged"
        case .singleFrameInProofForm:
            "the batch proof names a tree of one frame, which is sent as a plain signature: the frame is damaged or forged"
        case .indexOutsideTree(let index, let size):
            "the batch proof puts the frame at index \(index) of a tree of \(size): the frame is damaged or forged"
        case .pathLength(let found, let expected):
            "the batch proof's path has \(found) hashes where its index and tree size need \(expected): the frame is damaged or forged"
        case .missingRootSignature:
            "the batch proof carries no root signature: the frame was cut or damaged"
        case .rootSignatureLength(let found, let expected):
            "the batch proof's root signature has \(found) bytes, the signer's key makes \(expected): the frame is damaged or from another signer"
        }
    }
}
