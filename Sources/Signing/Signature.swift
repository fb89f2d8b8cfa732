import Crypto

/// A signature and the scheme that made it.
///
/// ECDSA signatures are kept raw (r‖s, each padded to the curve's coordinate size) because that is what
/// DLMS general-signing carries and what PKCS#11's CKM_ECDSA returns; `derEncoded` gives the X.509/TLS form.
public struct Signature: Sendable, Hashable {
    public var scheme: SignatureScheme
    /// Raw r‖s for ECDSA, the RSA signature block for RSA.
    public var bytes: [UInt8]

    public init(scheme: SignatureScheme, bytes: [UInt8]) {
        self.scheme = scheme
        self.bytes = bytes
    }

    /// Builds an ECDSA signature from its DER form (an ECDSA-Sig-Value SEQUENCE), as X.509 and TLS carry it.
    public init(ecdsaDER der: [UInt8], curve: Curve, hash: HashAlgorithm) throws(SigningError) {
        do {
            let raw: [UInt8]
            switch curve {
            case .p256: raw = Array(try P256.Signing.ECDSASignature(derRepresentation: der).rawRepresentation)
            case .p384: raw = Array(try P384.Signing.ECDSASignature(derRepresentation: der).rawRepresentation)
            case .p521: raw = Array(try P521.Signing.ECDSASignature(derRepresentation: der).rawRepresentation)
            }
            self.init(scheme: .ecdsa(hash), bytes: raw)
        } catch {
            throw .malformedSignature("not a DER ECDSA signature for \(curve.rawValue)")
        }
    }

    /// The signature as X.509, CMS and TLS encode it: DER for ECDSA, unchanged for RSA.
    public func derEncoded() throws(SigningError) -> [UInt8] {
        guard case .ecdsa = scheme else { return bytes }
        do {
            switch bytes.count {
            case Curve.p256.coordinateSize * 2:
                return Array(try P256.Signing.ECDSASignature(rawRepresentation: bytes).derRepresentation)
            case Curve.p384.coordinateSize * 2:
                return Array(try P384.Signing.ECDSASignature(rawRepresentation: bytes).derRepresentation)
            case Curve.p521.coordinateSize * 2:
                return Array(try P521.Signing.ECDSASignature(rawRepresentation: bytes).derRepresentation)
            default:
                throw SigningError.malformedSignature("raw ECDSA signature of \(bytes.count) bytes fits no supported curve")
            }
        } catch let error as SigningError {
            throw error
        } catch {
            throw .malformedSignature("raw ECDSA signature rejected: \(error)")
        }
    }
}
