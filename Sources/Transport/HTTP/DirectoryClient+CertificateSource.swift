import PKI
import X509

extension DirectoryClient: CertificateSource {
    /// The certificate `info` names, by its serial; one with another issuer is refused as not found, since the
    /// directory of one PKI cannot vouch for another's serials.
    public func certificate(for info: CertificateInfo) async throws(CertificateLookupError) -> Certificate {
        let certificate: Certificate
        do {
            certificate = try await self.certificate(serial: info.serial)
        } catch ESTError.refused(status: 404, _) {
            throw .notFound(serial: info.serial, source: "the Central Directory at \(url)")
        } catch {
            throw .unavailable(source: "the Central Directory at \(url)", reason: "\(error)")
        }
        guard certificate.issuer == info.issuer else { throw .notFound(serial: info.serial, source: "the Central Directory at \(url)") }
        return certificate
    }
}
