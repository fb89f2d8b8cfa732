import Crypto
import Foundation
import SwiftASN1
import X509

/// What a certificate may be used for (REFERENCE §3 and §7, after Gurux's DLMS profile and IEC 62351-9).
public enum CertificateProfile: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Signs DLMS frames: keyUsage digitalSignature only; subject CN = the system title.
    case sign
    /// TLS client and server: digitalSignature (+ keyAgreement for EC), serverAuth + clientAuth, SANs.
    case tls
    /// A CA: basicConstraints CA, keyCertSign and cRLSign.
    case ca

    public var description: String { rawValue }

    /// Where revocation information is published, when the PKI has a URL.
    public struct Publication: Sendable, Hashable {
        public var crlURL: String
        public var ocspURL: String

        public init(baseURL: String) {
            let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            crlURL = base + "/crl"
            ocspURL = base + "/ocsp"
        }
    }

    /// The extensions of a certificate of this profile.
    public func extensions(
        subjectKey: Certificate.PublicKey, issuerKey: Certificate.PublicKey, publication: Publication?,
        alternativeNames: [GeneralName] = [], pathLength: Int? = nil
    ) throws -> Certificate.Extensions {
        var extensions = Certificate.Extensions()
        switch self {
        case .ca:
            try extensions.append(Certificate.Extension(BasicConstraints.isCertificateAuthority(maxPathLength: pathLength), critical: true))
            try extensions.append(Certificate.Extension(KeyUsage(keyCertSign: true, cRLSign: true), critical: true))
        case .sign:
            try extensions.append(Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true))
            try extensions.append(Certificate.Extension(KeyUsage(digitalSignature: true), critical: true))
        case .tls:
            try extensions.append(Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true))
            let isEC = subjectKey.isEC
            try extensions.append(Certificate.Extension(KeyUsage(digitalSignature: true, keyAgreement: isEC), critical: true))
            try extensions.append(Certificate.Extension(try ExtendedKeyUsage([.serverAuth, .clientAuth]), critical: false))
            if !alternativeNames.isEmpty {
                try extensions.append(Certificate.Extension(SubjectAlternativeNames(alternativeNames), critical: false))
            }
        }
        try extensions.append(Certificate.Extension(SubjectKeyIdentifier(hash: subjectKey), critical: false))
        try extensions.append(Certificate.Extension(
            AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: issuerKey).keyIdentifier), critical: false
        ))
        if let publication {
            try extensions.append(CRLDistributionPoints(uri: publication.crlURL).makeCertificateExtension())
            try extensions.append(Certificate.Extension(
                AuthorityInformationAccess([.init(method: .ocspServer, location: .uniformResourceIdentifier(publication.ocspURL))]),
                critical: false
            ))
        }
        return extensions
    }
}

extension Certificate.PublicKey {
    var isEC: Bool {
        P256.Signing.PublicKey(self) != nil || P384.Signing.PublicKey(self) != nil || P521.Signing.PublicKey(self) != nil
    }
}

extension GeneralName {
    /// DNS names and IP addresses (4 or 16 bytes) as subjectAltName entries.
    public static func names(dns: [String], ip: [[UInt8]]) -> [GeneralName] {
        dns.map { .dnsName($0) } + ip.map { .ipAddress(ASN1OctetString(contentBytes: $0[...])) }
    }
}
