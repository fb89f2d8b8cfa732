import Crypto
import Foundation

/// An asymmetric key in a card slot. Kept as the raw private scalar in the state file: this is a test
/// instrument, and its keys are plain files by design.
public struct CardKey: Sendable, Hashable, Codable {
    public var algorithm: PIVAlgorithm
    /// The private scalar, big-endian (`rawRepresentation`).
    public var privateScalar: [UInt8]

    public init(algorithm: PIVAlgorithm, privateScalar: [UInt8]) {
        self.algorithm = algorithm
        self.privateScalar = privateScalar
    }

    /// A fresh key; nil for the management key's algorithm.
    public static func generate(_ algorithm: PIVAlgorithm) -> CardKey? {
        switch algorithm {
        case .eccP256: CardKey(algorithm: algorithm, privateScalar: Array(P256.Signing.PrivateKey().rawRepresentation))
        case .eccP384: CardKey(algorithm: algorithm, privateScalar: Array(P384.Signing.PrivateKey().rawRepresentation))
        case .aes128: nil
        }
    }

    /// The public point 04||X||Y, as GENERATE ASYMMETRIC KEY PAIR answers it in tag 86.
    public func publicPoint() throws -> [UInt8] {
        switch algorithm {
        case .eccP256: Array(try P256.Signing.PrivateKey(rawRepresentation: privateScalar).publicKey.x963Representation)
        case .eccP384: Array(try P384.Signing.PrivateKey(rawRepresentation: privateScalar).publicKey.x963Representation)
        case .aes128: []
        }
    }

    /// SubjectPublicKeyInfo DER, to compare with a certificate's key.
    public func subjectPublicKeyInfo() throws -> [UInt8] {
        switch algorithm {
        case .eccP256: Array(try P256.Signing.PrivateKey(rawRepresentation: privateScalar).publicKey.derRepresentation)
        case .eccP384: Array(try P384.Signing.PrivateKey(rawRepresentation: privateScalar).publicKey.derRepresentation)
        case .aes128: []
        }
    }

    /// Signs `digest` as given, as a card does: the host hashed. A digest longer than the curve's order is cut
    /// to its leftmost bytes and a shorter one left-padded with zeros, which is what ECDSA's conversion of a hash
    /// to an integer does anyway (FIPS 186-4 §6.4), so any length OpenSC sends gets the standard signature.
    /// Returns the DER ECDSA-Sig-Value.
    public func sign(digest: [UInt8]) throws -> [UInt8] {
        switch algorithm {
        case .eccP256:
            let key = try P256.Signing.PrivateKey(rawRepresentation: privateScalar)
            return Array(try key.signature(for: FixedDigest<Size32>(normalizing: digest)).derRepresentation)
        case .eccP384:
            let key = try P384.Signing.PrivateKey(rawRepresentation: privateScalar)
            return Array(try key.signature(for: FixedDigest<Size48>(normalizing: digest)).derRepresentation)
        case .aes128:
            throw CryptoKitError.incorrectParameterSize
        }
    }
}

/// A digest's bytes handed to swift-crypto unchanged: its ECDSA signs a `Digest`, whose size is a type property.
protocol DigestSize: Sendable, Hashable { static var byteCount: Int { get } }
enum Size32: DigestSize { static let byteCount = 32 }
enum Size48: DigestSize { static let byteCount = 48 }

struct FixedDigest<Size: DigestSize>: Digest {
    static var byteCount: Int { Size.byteCount }
    let bytes: [UInt8]

    init(normalizing digest: [UInt8]) {
        bytes = digest.count >= Size.byteCount ? Array(digest.prefix(Size.byteCount))
            : [UInt8](repeating: 0, count: Size.byteCount - digest.count) + digest
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try bytes.withUnsafeBytes(body) }
    func makeIterator() -> IndexingIterator<[UInt8]> { bytes.makeIterator() }
    var description: String { "digest \(bytes.count) bytes" }
}
