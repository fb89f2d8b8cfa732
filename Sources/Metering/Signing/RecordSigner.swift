import COSEM
import Foundation
import PKI
import Signing
import X509

/// Signs a gateway's records: its key, the certificate that verifies it, its system title and the head-end's.
/// What would make every frame fail at the receiver is refused once, when the signer is made (a certificate of
/// another key, a certificate for another system title, one that is not a signing certificate), and the
/// `certificate_info` every frame carries is encoded once too.
public struct RecordSigner: Sendable {
    public let signer: any Signer
    public let certificate: Certificate
    public let originator: SystemTitle
    public let recipient: SystemTitle
    public let convention: GeneralSigning.SignedBytesConvention
    private let certificateInfo: [UInt8]

    public init(
        signer: any Signer, certificate: Certificate, originator: SystemTitle, recipient: SystemTitle,
        convention: GeneralSigning.SignedBytesConvention = .a
    ) throws(RecordSignerError) {
        guard let spki = try? derBytes(certificate.publicKey), spki == signer.publicKey.subjectPublicKeyInfo else {
            throw .certificateOfAnotherKey(subject: certificate.subject.description)
        }
        let commonName = SubjectName.commonName(of: certificate.subject)
        guard commonName?.uppercased() == originator.description else {
            throw .certificateForAnotherSystemTitle(systemTitle: originator.description, commonName: commonName ?? "no CN")
        }
        if let mismatch = CertificateProfile.sign.mismatch(certificate) {
            throw .notASigningCertificate(subject: certificate.subject.description, reason: mismatch)
        }
        do {
            certificateInfo = try CertificateInfo(certificate).derEncoded
        } catch {
            throw .certificateInfo("\(error)")
        }
        self.signer = signer
        self.certificate = certificate
        self.originator = originator
        self.recipient = recipient
        self.convention = convention
    }

    /// The general-signing frame of `record`: the signature is the token's, made while the caller waits.
    public func sign(_ record: MeasurementRecord, transactionID: UInt64, at time: Date = Date()) async throws -> GeneralSigning {
        try await SignedRecord.sign(record, transactionID: transactionID, signer: signer, certificateInfo: certificateInfo,
                                    originator: originator, recipient: recipient, convention: convention, at: time)
    }
}

/// A key, certificate and system title that do not belong together.
public enum RecordSignerError: Error, Sendable, Hashable, CustomStringConvertible {
    case certificateOfAnotherKey(subject: String)
    case certificateForAnotherSystemTitle(systemTitle: String, commonName: String)
    case notASigningCertificate(subject: String, reason: String)
    case certificateInfo(String)

    public var description: String {
        switch self {
        case .certificateOfAnotherKey(let subject):
            "the certificate of \(subject) is not the signing key's; give the certificate issued for this key"
        case .certificateForAnotherSystemTitle(let title, let name):
            "the certificate is for \(name), not system title \(title); use the system title it was issued for, or enroll this one"
        case .notASigningCertificate(let subject, let reason):
            "the certificate of \(subject) cannot sign records: \(reason); enroll a sign-profile certificate"
        case .certificateInfo(let reason):
            "cannot encode certificate_info for this certificate: \(reason)"
        }
    }
}
