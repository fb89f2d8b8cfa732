import PKI
import X509

extension DirectoryClient: CertificateSource {
    /// The certificate `info` names, by its serial; one with another issuer is refused as not found, since the
    /// directory of one PKI cannot vouch for another's serials.
    public func certificate(for info: CertificateInfo) async throws(CertificateLookupError) -> Certificate {
        do {
            return try Self.check(try await certificate(serial: info.serial), names: info, directory: url)
        } catch {
            throw error.lookupError(for: info)
        }
    }

    static func check(_ certificate: Certificate, names info: CertificateInfo, directory: String) throws(DirectoryError) -> Certificate {
        guard certificate.issuer == info.issuer else { throw .notFound(serial: info.serial.description, directory: directory) }
        return certificate
    }
}

extension DirectoryCache: CertificateSource {
    /// As the client's, through the cache: what a head-end verifying many frames of one gateway uses.
    public func certificate(for info: CertificateInfo) async throws(CertificateLookupError) -> Certificate {
        do {
            return try DirectoryClient.check(try await certificate(serial: info.serial), names: info, directory: client.url)
        } catch {
            throw error.lookupError(for: info)
        }
    }
}

extension DirectoryError {
    /// Not found is a verdict on the frame; every other failure leaves the signer unknown for now.
    func lookupError(for info: CertificateInfo) -> CertificateLookupError {
        switch self {
        case .notFound(_, let directory): .notFound(serial: info.serial, source: "the Central Directory at \(directory)")
        default: .unavailable(source: "the Central Directory", reason: description)
        }
    }
}
