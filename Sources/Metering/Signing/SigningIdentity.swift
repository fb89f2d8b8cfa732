import COSEM
import PKI
import Signing
import X509

/// A key, the certificate that verifies it, and the system title it signs as: what the gateway signs records with
/// and the head-end acknowledgements with. What would make every receiver refuse everything it signs is refused
/// once, when the identity is made: a certificate of another key, one issued for another system title, one that is
/// not a signing certificate. Its `certificate_info` is encoded once too.
public struct SigningIdentity: Sendable {
    public let signer: any Signer
    public let certificate: Certificate
    public let systemTitle: SystemTitle
    public let certificateInfo: CertificateInfo
    /// The DER of `certificateInfo`, as frames carry it.
    public let certificateInfoDER: [UInt8]

    /// `role` names what is signed ("records", "acknowledgements") in the errors.
    public init(signer: any Signer, certificate: Certificate, systemTitle: SystemTitle, role: String) throws(SigningIdentityError) {
        guard let spki = try? derBytes(certificate.publicKey), spki == signer.publicKey.subjectPublicKeyInfo else {
            throw .certificateOfAnotherKey(subject: certificate.subject.description)
        }
        let commonName = SubjectName.commonName(of: certificate.subject)
        guard commonName?.uppercased() == systemTitle.description else {
            throw .certificateForAnotherSystemTitle(systemTitle: systemTitle.description, commonName: commonName ?? "no CN")
        }
        if let mismatch = CertificateProfile.sign.mismatch(certificate) {
            throw .notASigningCertificate(subject: certificate.subject.description, role: role, reason: mismatch)
        }
        let info = CertificateInfo(certificate)
        do {
            certificateInfoDER = try info.derEncoded
        } catch {
            throw .certificateInfo("\(error)")
        }
        self.signer = signer
        self.certificate = certificate
        self.systemTitle = systemTitle
        certificateInfo = info
    }
}

/// A key, certificate and system title that do not belong together.
public enum SigningIdentityError: Error, Sendable, Hashable, CustomStringConvertible {
    case certificateOfAnotherKey(subject: String)
    case certificateForAnotherSystemTitle(systemTitle: String, commonName: String)
    case notASigningCertificate(subject: String, role: String, reason: String)
    case certificateInfo(String)

    public var description: String {
        switch self {
        case .certificateOfAnotherKey(let subject):
            "the certificate of \(subject) is not the signing key's; give the certificate issued for this key"
        case .certificateForAnotherSystemTitle(let title, let name):
            "the certificate is for \(name), not system title \(title); use the system title it was issued for, or enroll this one"
        case .notASigningCertificate(let subject, let role, let reason):
            "the certificate of \(subject) cannot sign \(role): \(reason); enroll a sign-profile certificate"
        case .certificateInfo(let reason):
            "cannot encode certificate_info for this certificate: \(reason)"
        }
    }
}
