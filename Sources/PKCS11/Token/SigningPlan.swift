import CPKCS11
import Signing

/// Which Cryptoki mechanism makes a given signature scheme, and what the host does before and after.
///
/// Tokens differ: SoftHSM has only CKM_ECDSA (hash on the host), cards often have CKM_ECDSA_SHA256. The plan
/// prefers the token's combined hash-and-sign mechanism and falls back to hashing here.
struct SigningPlan {
    var mechanism: CK_MECHANISM_TYPE
    var parameter: [UInt8]?
    /// Whether the host hashes the message (and, for raw RSA PKCS#1, prepends the DigestInfo).
    var hashOnHost: Bool
    var scheme: SignatureScheme

    func input(_ message: [UInt8]) -> [UInt8] {
        guard hashOnHost else { return message }
        return input(digest: scheme.hash.digest(message))
    }

    /// What the bare mechanism signs for a digest the host computed.
    func input(digest: [UInt8]) -> [UInt8] {
        if case .rsaPKCS1v15(let hash) = scheme { return hash.digestInfoPrefix + digest }
        return digest
    }

    /// The same signature whether the token hashed or not; ECDSA normalised to raw r‖s.
    func signature(from raw: [UInt8], scheme: SignatureScheme, algorithm: KeyAlgorithm) throws -> Signature {
        guard case .ecdsa(let curve) = algorithm else { return Signature(scheme: scheme, bytes: raw) }
        if raw.count == 2 * curve.coordinateSize { return Signature(scheme: scheme, bytes: raw) }
        // Some modules hand back DER although PKCS#11 specifies r‖s for CKM_ECDSA.
        return try Signature(ecdsaDER: raw, curve: curve, hash: scheme.hash)
    }

    /// The token-side hash-and-sign mechanism for the scheme.
    static func combined(_ scheme: SignatureScheme) -> SigningPlan? {
        let mechanism: UInt
        switch scheme {
        case .ecdsa(.sha256): mechanism = UInt(CKM_ECDSA_SHA256)
        case .ecdsa(.sha384): mechanism = UInt(CKM_ECDSA_SHA384)
        case .ecdsa(.sha512): mechanism = UInt(CKM_ECDSA_SHA512)
        case .rsaPKCS1v15(.sha256): mechanism = UInt(CKM_SHA256_RSA_PKCS)
        case .rsaPKCS1v15(.sha384): mechanism = UInt(CKM_SHA384_RSA_PKCS)
        case .rsaPKCS1v15(.sha512): mechanism = UInt(CKM_SHA512_RSA_PKCS)
        case .rsaPSS(.sha256): mechanism = UInt(CKM_SHA256_RSA_PKCS_PSS)
        case .rsaPSS(.sha384): mechanism = UInt(CKM_SHA384_RSA_PKCS_PSS)
        case .rsaPSS(.sha512): mechanism = UInt(CKM_SHA512_RSA_PKCS_PSS)
        }
        return SigningPlan(mechanism: CK_MECHANISM_TYPE(mechanism), parameter: pssParameter(scheme), hashOnHost: false, scheme: scheme)
    }

    /// The bare mechanism that signs a host-computed digest.
    static func forDigest(scheme: SignatureScheme, algorithm: KeyAlgorithm) throws -> SigningPlan {
        guard scheme.fits(algorithm) else { throw SigningError.schemeDoesNotFitKey(scheme, algorithm) }
        let mechanism: UInt = switch scheme {
        case .ecdsa: UInt(CKM_ECDSA)
        case .rsaPKCS1v15: UInt(CKM_RSA_PKCS)
        case .rsaPSS: UInt(CKM_RSA_PKCS_PSS)
        }
        return SigningPlan(mechanism: CK_MECHANISM_TYPE(mechanism), parameter: pssParameter(scheme), hashOnHost: true, scheme: scheme)
    }

    /// CK_RSA_PKCS_PSS_PARAMS: MGF1 with the message hash and a salt as long as the digest (RFC 8017 defaults
    /// as TLS 1.3 and X.509 use them).
    private static func pssParameter(_ scheme: SignatureScheme) -> [UInt8]? {
        guard case .rsaPSS(let hash) = scheme else { return nil }
        let (hashMechanism, mgf): (UInt, UInt) = switch hash {
        case .sha256: (UInt(CKM_SHA256), UInt(CKG_MGF1_SHA256))
        case .sha384: (UInt(CKM_SHA384), UInt(CKG_MGF1_SHA384))
        case .sha512: (UInt(CKM_SHA512), UInt(CKG_MGF1_SHA512))
        }
        var params = CK_RSA_PKCS_PSS_PARAMS(hashAlg: CK_MECHANISM_TYPE(hashMechanism), mgf: CK_RSA_PKCS_MGF_TYPE(mgf), sLen: CK_ULONG(hash.digestSize))
        return withUnsafeBytes(of: &params) { Array($0) }
    }
}
