import PKI
import Signing
import Synchronization
import X509

/// What a receiver reads from a signer's certificate once, not for every frame of it: the key (for RSA, its modulus'
/// Montgomery set-up as well), the subject's common name, the certificate_info that names it, and the sentences
/// that report them. A head-end gets every frame of a gateway under one certificate, and reading these again took
/// longer than an RSA signature check. A chain's root is read here too, for the sentence naming it.
///
/// What is kept depends on the certificate alone, whose whole bytes are the key: never on the time, the CRLs or the
/// frame. So nothing kept here can outlive a revocation; the certificate itself is checked for every frame all the
/// same (`CertificateValidator`, whose `ValidationCache` answers to CRL updates). Bounded: past `capacity`
/// certificates it starts afresh.
public final class KnownSigners: Sendable {
    struct Signer: Sendable {
        /// The certificate's key with its SubjectPublicKeyInfo DER (by which `VerifiedBatchRoots` records a root's
        /// signer), or why it is unusable: a fact about the bytes too.
        let key: Result<(key: PublicKey, subjectPublicKeyInfo: [UInt8]), any Error>
        /// The subject's CN, upper-cased as a system title's text is (what a frame's originator must print as).
        let commonName: String?
        /// "serial S of ISSUER": how the certificate_info check reports a frame that names this certificate.
        let naming: String
        /// The DER `certificate_info` naming this certificate: a frame carrying exactly these bytes names it (what
        /// decodes re-encodes to the bytes it came from, `CertificateInfo`), without decoding them.
        let certificateInfo: [UInt8]?
        /// The subject as printed, for a chain that ends here.
        let subject: String

        init(_ certificate: Certificate) {
            key = Result {
                let spki = try derBytes(certificate.publicKey)
                return (try PublicKey(subjectPublicKeyInfo: spki), spki)
            }
            commonName = SubjectName.commonName(of: certificate.subject)?.uppercased()
            naming = "serial \(CertificateSerial(certificate.serialNumber)) of \(certificate.issuer)"
            certificateInfo = try? CertificateInfo(certificate).derEncoded
            subject = certificate.subject.description
        }
    }

    public let capacity: Int
    private let signers = Mutex<[CertificateKey: Signer]>([:])

    public init(capacity: Int = 4096) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { signers.withLock { $0.count } }

    /// What `certificate` says of its signer, read at its first frame.
    func signer(_ certificate: Certificate) -> Signer {
        let key = CertificateKey(certificate)
        if let known = signers.withLock({ $0[key] }) { return known }
        let read = Signer(certificate)
        signers.withLock { signers in
            if signers.count >= capacity { signers.removeAll(keepingCapacity: true) }
            signers[key] = read
        }
        return read
    }
}
