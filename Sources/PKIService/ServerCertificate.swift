import Foundation
import PKI
import PKIStore
import Signing
import X509

/// pkid's own TLS certificate: the one on the token beside its TLS key while it still serves, else a fresh one
/// from pkid's CA. So a first start needs no certificate made by hand, and a token from another PKI or a certificate
/// about to expire never keeps pkid from answering.
public enum ServerCertificate {
    /// How long a stored certificate must still be valid to be kept: a day, so pkid never starts on one that
    /// expires before anyone restarts it.
    public static let minimumRemaining: TimeInterval = 86_400

    /// Whether `stored` can keep serving: issued by this CA (its subject and its signature), and valid for at least
    /// `minimumRemaining` more.
    public static func isUsable(_ stored: Certificate, authority: CertificateAuthority, at now: Date = Date()) -> Bool {
        stored.issuer == authority.certificate.subject
            && authority.certificate.publicKey.isValidSignature(stored.signature, for: stored)
            && stored.notValidAfter > now.addingTimeInterval(minimumRemaining)
    }

    /// Issues a tls certificate for `key` (CN=pkid, a year), valid for localhost and 127.0.0.1 and for `host`, the
    /// address pkid listens on, as an IP address or a DNS name.
    public static func issue(authority: CertificateAuthority, key: any Signer, host: String, now: Date = Date()) async throws -> Certificate {
        let csr = try await CertificateRequests.make(signer: key, subject: try SubjectName.parse("CN=pkid"))
        return try await authority.issue(csr, profile: .tls, validity: try Validity("1y"), alternativeNames: alternativeNames(host: host), now: now)
    }

    /// localhost and 127.0.0.1, and `host` beside them unless it is one of them.
    public static func alternativeNames(host: String) -> [GeneralName] {
        var addresses: [[UInt8]] = [[127, 0, 0, 1]]
        var names = ["localhost"]
        if let address = ipv4(host) {
            if address != [127, 0, 0, 1] { addresses.append(address) }
        } else if host != "localhost" {
            names.append(host)
        }
        return GeneralName.names(dns: names, ip: addresses)
    }

    /// The four bytes of a dotted IPv4 address; nil for anything else (a name).
    static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }
}
