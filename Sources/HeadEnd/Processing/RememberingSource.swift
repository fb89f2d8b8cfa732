import PKI
import Synchronization
import X509

/// A certificate source that remembers what it found: the verifier looks the signer's certificate up, and the
/// head-end stores that very certificate with the reading (looking it up a second time could find another, or
/// nothing, if the cache expired in between).
final class RememberingSource: CertificateSource {
    let base: any CertificateSource
    private let found = Mutex<Certificate?>(nil)

    init(_ base: any CertificateSource) {
        self.base = base
    }

    var certificate: Certificate? { found.withLock { $0 } }

    func certificate(for info: CertificateInfo) async throws(CertificateLookupError) -> Certificate {
        let certificate = try await base.certificate(for: info)
        found.withLock { $0 = certificate }
        return certificate
    }
}
