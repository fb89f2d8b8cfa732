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
    ) throws(SigningIdentityError) {
        let identity = try SigningIdentity(signer: signer, certificate: certificate, systemTitle: originator, role: "acknowledgements")
        self.signer = signer
        self.certificate = certificate
        self.originator = originator
        self.convention = convention
        certificateInfo = identity.certificateInfo
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
