import COSEM
import Foundation
import PKI
import Signing
import X509

/// Signs the head-end's acknowledgements: its key (on the headend token), the certificate that verifies it and its
/// system title. As with `RecordSigner`, what would make every gateway refuse every acknowledgement is refused once,
/// when the signer is made: a certificate of another key, one issued for another system title, a certificate that
/// is not a signing certificate. The recipient changes with every acknowledgement (one head-end, many gateways),
/// so it is given to `sign`, with the head-end's transaction id.
public struct AcknowledgementSigner: Sendable {
    public let signer: any Signer
    public let certificate: Certificate
    /// The head-end's system title.
    public let originator: SystemTitle
    public let convention: GeneralSigning.SignedBytesConvention
    private let certificateInfo: CertificateInfo

    public init(
        signer: any Signer, certificate: Certificate, originator: SystemTitle,
        convention: GeneralSigning.SignedBytesConvention = .a
    ) throws(AcknowledgementSignerError) {
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
        let info = CertificateInfo(certificate)
        do {
            _ = try info.derEncoded
        } catch {
            throw .certificateInfo("\(error)")
        }
        self.signer = signer
        self.certificate = certificate
        self.originator = originator
        self.convention = convention
        certificateInfo = info
    }

    /// The signed acknowledgement of `acknowledgement` to `gateway`. `transactionID` is the head-end's own counter
    /// (a `TransactionCounter` of its own serves): it must grow with every acknowledgement the head-end signs, to any
    /// gateway, since gateways refuse one that does not come after the last they accepted; so the head-end also
    /// writes acknowledgements to a connection in the order of their ids (signing them concurrently and sending them
    /// as they finish would have the gateway refuse the ones overtaken).
    public func sign(_ acknowledgement: Acknowledgement, to gateway: SystemTitle, transactionID: UInt64,
                     at time: Date = Date()) async throws -> SignedAcknowledgement {
        var signed = try SignedAcknowledgement(
            transactionID: transactionID, originator: originator, recipient: gateway,
            signedAt: MeasurementRecord.dateTime(time), certificateInfo: certificateInfo, acknowledgement: acknowledgement
        )
        signed.signature = try await signer.sign(signed.signedBytes(convention), scheme: SignedRecord.scheme(for: signer.algorithm)).bytes
        return signed
    }
}

/// A key, certificate and system title that do not belong together as the head-end's.
public enum AcknowledgementSignerError: Error, Sendable, Hashable, CustomStringConvertible {
    case certificateOfAnotherKey(subject: String)
    case certificateForAnotherSystemTitle(systemTitle: String, commonName: String)
    case notASigningCertificate(subject: String, reason: String)
    case certificateInfo(String)

    public var description: String {
        switch self {
        case .certificateOfAnotherKey(let subject):
            "the certificate of \(subject) is not the head-end's signing key's; give the certificate issued for this key"
        case .certificateForAnotherSystemTitle(let title, let name):
            "the certificate is for \(name), not the head-end's system title \(title); use the system title it was issued for, or enroll this one"
        case .notASigningCertificate(let subject, let reason):
            "the certificate of \(subject) cannot sign acknowledgements: \(reason); enroll a sign-profile certificate"
        case .certificateInfo(let reason):
            "cannot encode certificate_info for this certificate: \(reason)"
        }
    }
}
