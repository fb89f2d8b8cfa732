import Foundation
import PKI
import PKIStore
import Signing
import TestSupport
import Transport
import X509

/// A CA with software keys in a temporary directory, and TLS certificates from it for a server on 127.0.0.1 and
/// for clients: what the in-process TLS tests need, made the way pkid makes them (`CertificateAuthority.issue`).
final class LoopbackPKI: @unchecked Sendable {
    let directory: URL
    let authority: CertificateAuthority

    /// `url` is where the CA says its CRL and OCSP responder are (the AIA of what it issues).
    init(_ name: String, url: String? = nil) async throws {
        directory = try temporaryDirectory("loopback-pki")
        authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: directory.appendingPathComponent("pki").path), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=\(name)"),
            validity: try Validity("1y"), url: url
        )
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    var root: Certificate { authority.certificate }

    /// A tls-profile certificate (server and client authentication) for a new software key.
    func tlsIdentity(_ commonName: String) async throws -> (certificate: Certificate, key: SoftwareSigner) {
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        let csr = try await CertificateRequests.make(signer: key, subject: try SubjectName.parse("CN=\(commonName)"))
        let certificate = try await authority.issue(
            csr, profile: .tls, validity: try Validity("1d"),
            alternativeNames: GeneralName.names(dns: ["localhost"], ip: [[127, 0, 0, 1]])
        )
        return (certificate, key)
    }
}

extension HTTPSClient.Timeouts {
    /// For requests to servers in this test process, whose handlers and TLS signatures run on the same cooperative
    /// pool that synchronous tests elsewhere in the run block for seconds: a slow answer here is the test run's
    /// load, not the failure a test looks for.
    static let patient = HTTPSClient.Timeouts(connect: .seconds(30), read: .seconds(60))
}
