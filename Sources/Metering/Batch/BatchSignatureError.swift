/// Why a frame's signature field does not verify with the signer's key.
public enum BatchSignatureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field cannot be read as a single signature or a batch proof of the key.
    case malformed(BatchProofError)
    /// A single signature that is not the key's over the frame.
    case signatureDoesNotVerify
    /// A batch proof whose root signature is not the key's over the root its path leads to.
    case rootSignatureDoesNotVerify(index: UInt32, size: UInt32)

    public var description: String {
        switch self {
        case .malformed(let error):
            error.description
        case .signatureDoesNotVerify:
            "the signature does not verify: the frame was changed or signed by another key"
        case .rootSignatureDoesNotVerify(let index, let size):
            "frame \(index) of a batch of \(size): the root signature does not verify over the root its path leads to: "
                + "the frame, its proof or the root signature was changed, or another key signed"
        }
    }
}
