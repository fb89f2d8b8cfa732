import Foundation
import SwiftASN1
import X509

/// Builds X.509 v2 CRLs (RFC 5280 §5), which swift-certificates has no type for (see `CertificateList`), signed
/// by the CA key, with a CRL number and the authority key identifier, and a reason code per entry.
package enum CertificateRevocationList {
    package struct Entry {
        package var serial: CertificateSerial
        package var date: Date
        package var reason: CRLReason

        package init(serial: CertificateSerial, date: Date, reason: CRLReason) {
            self.serial = serial
            self.date = date
            self.reason = reason
        }
    }

    package static func build(
        issuer: Certificate, key: SignerPrivateKey, number: Int, thisUpdate: Date, nextUpdate: Date, entries: [Entry]
    ) async throws -> [UInt8] {
        let revoked = try entries.map { entry in
            RevokedCertificate(
                userCertificate: CertificateSerialNumber(entry.serial), revocationDate: try X509Time(entry.date),
                // RFC 5280 §5.3.1: no reason code rather than unspecified.
                crlEntryExtensions: entry.reason == .unspecified ? nil : try Certificate.Extensions([entry.reason.makeCertificateExtension()])
            )
        }
        let extensions = try Certificate.Extensions([
            try Certificate.Extension(
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: issuer.publicKey).keyIdentifier), critical: false
            ),
            try CRLNumber(number).makeCertificateExtension(),
        ])
        let tbs = TBSCertList(
            signature: try AlgorithmIdentifier(key.defaultSignatureAlgorithm), issuer: issuer.subject, thisUpdate: try X509Time(thisUpdate),
            nextUpdate: try X509Time(nextUpdate), revokedCertificates: revoked, crlExtensions: extensions
        )
        return try derBytes(try await CertificateList(signing: tbs, with: key))
    }
}
