import X509

/// Where a receiver finds the certificate a signed frame's `certificate_info` names: the Central Directory over the
/// network (Transport's `DirectoryClient`), a cache in front of it, or a fixed certificate a user gave. The error
/// says whether asking again can help, so a head-end holds a frame rather than refusing it when the directory is down.
public protocol CertificateSource: Sendable {
    func certificate(for info: CertificateInfo) async throws(CertificateLookupError) -> Certificate
}

/// Why a certificate could not be had.
public enum CertificateLookupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The source answered and has no such certificate: a verdict on the frame.
    case notFound(serial: CertificateSerial, source: String)
    /// The source could not be asked or gave no usable answer: try again later.
    case unavailable(source: String, reason: String)

    public var isRetryable: Bool { if case .unavailable = self { true } else { false } }

    public var description: String {
        switch self {
        case .notFound(let serial, let source):
            "\(source) has no certificate with serial \(serial); the signer is not enrolled in this PKI"
        case .unavailable(let source, let reason):
            "cannot look the signer's certificate up in \(source): \(reason)"
        }
    }
}

/// One certificate given by the user (`gatewayctl verify --cert`): found when the frame names it.
public struct FixedCertificateSource: CertificateSource {
    public let certificate: Certificate

    public init(_ certificate: Certificate) {
        self.certificate = certificate
    }

    public func certificate(for info: CertificateInfo) async throws(CertificateLookupError) -> Certificate {
        certificate
    }
}
