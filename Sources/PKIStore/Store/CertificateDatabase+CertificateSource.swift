import PKI
import X509

/// The Central Directory read straight from the CA's database: the rows pkid serves at `/certificates/{serial}`,
/// for a verifier that sits beside the PKI (and for tests, which need no HTTP to find a signer).
extension CertificateDatabase: CertificateSource {
    public func certificate(for info: CertificateInfo) async throws(CertificateLookupError) -> Certificate {
        let found: IssuedCertificate?
        do {
            found = try await certificate(serial: info.serial)
        } catch {
            throw .unavailable(source: "the PKI's certificate database", reason: "\(error)")
        }
        // A row of another issuer with the same serial is not the certificate certificate_info names.
        guard let found, let certificate = try? Certificate(derEncoded: Array(found.der)), certificate.issuer == info.issuer else {
            throw .notFound(serial: info.serial, source: "the PKI's certificate database")
        }
        return certificate
    }
}
