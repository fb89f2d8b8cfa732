import COSEM
import Signing

/// The root of a signature batch and what the key signs for it: the root message, ASCII
/// `DLMS-COSEM batch signature v1` ‖ 0x00 ‖ tree size (u32, big-endian) ‖ root hash.
///
/// The label keeps a root signature from passing for a frame's: a frame's signed bytes start with its transaction
/// id's length, 0x08, never with the label's `D` (0x44). The size is signed so a path cannot be replayed under a
/// tree size the signer never made (a path of leaf 0 has the same shape in trees of 3 and 4 leaves). Two roots are
/// equal when their messages are, so a receiver can remember a root whose signature it checked, together with that
/// signature's bytes and its signer, and check only the path of the batch's other frames.
public struct BatchRoot: Sendable, Hashable {
    public static let label = Array("DLMS-COSEM batch signature v1".utf8)

    public let size: UInt32
    public let hash: [UInt8]

    public init(size: UInt32, hash: [UInt8]) {
        self.size = size
        self.hash = hash
    }

    /// The bytes the key signs for the batch, as it signs a single frame's.
    public var message: [UInt8] {
        var writer = ByteWriter(capacity: Self.label.count + 5 + hash.count)
        writer.bytes(Self.label)
        writer.u8(0x00)
        writer.u32(size)
        writer.bytes(hash)
        return writer.bytes
    }

    /// Whether `signature` is `key`'s over `message`, checked exactly as a single frame's signature is.
    public func isValidSignature(_ signature: [UInt8], by key: PublicKey) -> Bool {
        SignerChecks.isValid(signature, over: message, by: key)
    }
}
