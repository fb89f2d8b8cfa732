import COSEM
import Foundation
import PKI
import Signing
import X509

/// The two checks every signed frame gets, whatever it carries (a record, an acknowledgement): the signature with
/// the certificate's key over the agreed bytes, and the certificate as a signing certificate (chain, validity,
/// profile, revocation). One place, so a record and an acknowledgement are held to the same rules.
enum SignerChecks {
    /// Whether `signature` verifies with `certificate`'s key over `bytes`, and the sentence to report.
    static func signature(_ signature: [UInt8], over bytes: [UInt8], by certificate: Certificate,
                          convention: GeneralSigning.SignedBytesConvention, what: String) -> (passed: Bool, detail: String) {
        do {
            let key = try PublicKey(subjectPublicKeyInfo: try derBytes(certificate.publicKey))
            return self.signature(signature, over: bytes, by: key, convention: convention, what: what)
        } catch {
            return (false, "the certificate's key is unusable: \(error)")
        }
    }

    /// The same with the key already read from the certificate (a record verifier reads it once per frame).
    static func signature(_ signature: [UInt8], over bytes: [UInt8], by key: PublicKey,
                          convention: GeneralSigning.SignedBytesConvention, what: String) -> (passed: Bool, detail: String) {
        let scheme = SignedRecord.scheme(for: key.algorithm)
        return isValid(signature, over: bytes, by: key)
            ? (true, "\(scheme) over convention \(convention)")
            : (false, "the signature does not verify (\(scheme), convention \(convention)): the \(what) was changed or signed by another key")
    }

    /// Whether `signature` is `key`'s over `bytes` in the scheme frames are signed with (`SignedRecord.scheme`):
    /// the one check of a signature, for a single frame's and a batch root's alike.
    static func isValid(_ signature: [UInt8], over bytes: [UInt8], by key: PublicKey) -> Bool {
        key.isValidSignature(Signature(scheme: SignedRecord.scheme(for: key.algorithm), bytes: signature), for: bytes)
    }

    /// The validator's verdict on `certificate` as a signing certificate, with its typed failure. `signedAt` is the
    /// signed object's own date-time, for a record kept as evidence (see `CertificateValidator.validate`); `subject`
    /// prints the chain's root (a record verifier's `KnownSigners` prints it once, not for every frame).
    static func certificate(_ certificate: Certificate, validator: CertificateValidator, at time: Date, signedAt: Date? = nil,
                            subject: (Certificate) -> String = { $0.subject.description }) async
        -> (passed: Bool, detail: String, failure: CertificateValidationFailure?) {
        switch await validator.validate(certificate, profile: .sign, at: time, signedAt: signedAt) {
        case .valid(let chain): (true, "chains to \(chain.last.map(subject) ?? "?"), signing profile, not revoked", nil)
        case .invalid(let failure): (false, failure.description, failure)
        }
    }
}
