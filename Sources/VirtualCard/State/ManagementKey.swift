import Crypto
import CryptoExtras

/// The card management key (reference 9B): whoever proves knowledge of it may generate keys and write objects.
/// AES-128 (algorithm 08); the default value is the well-known 0102…08 0102…08 test key.
public struct ManagementKey: Sendable, Hashable, Codable {
    public static let defaultValue: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8]
    public static let blockSize = 16

    public var algorithm: PIVAlgorithm
    public var value: [UInt8]

    public init(value: [UInt8] = ManagementKey.defaultValue) throws(CardStateError) {
        guard value.count == 16 else { throw .invalidManagementKey(bytes: value.count) }
        algorithm = .aes128
        self.value = value
    }

    /// One AES block encrypted with the key (ECB on one block): what both ends of PIV's challenge–response
    /// compute.
    public func encrypt(block: [UInt8]) -> [UInt8]? {
        guard block.count == Self.blockSize else { return nil }
        var out = block
        do {
            try AES.permute(&out, key: SymmetricKey(data: value))
        } catch {
            return nil
        }
        return out
    }
}
