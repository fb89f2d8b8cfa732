import COSEM
import Foundation
import PKI
import Signing
import X509

/// Signs requests (a head-end) or responses (a gateway): the key, the certificate that verifies it and the signer's
/// system title, checked once when made (the certificate is the key's, for this system title, a signing
/// certificate), so no frame goes out that every receiver would refuse.
public struct ExchangeSigner: Sendable {
    public let signer: any Signer
    public let certificate: Certificate
    public let originator: SystemTitle
    public let convention: GeneralSigning.SignedBytesConvention

    public init(signer: any Signer, certificate: Certificate, originator: SystemTitle,
                convention: GeneralSigning.SignedBytesConvention = .a) throws(SigningIdentityError) {
        _ = try SigningIdentity(signer: signer, certificate: certificate, systemTitle: originator, role: "requests and responses")
        self.signer = signer
        self.certificate = certificate
        self.originator = originator
        self.convention = convention
    }

    /// A gateway's answers come from the key and certificate that sign its records: the record signer checked them
    /// when it was made, so they are not checked again for every answer.
    public init(_ records: RecordSigner) {
        signer = records.signer
        certificate = records.certificate
        originator = records.originator
        convention = records.convention
    }

    /// A head-end answers a gateway's ledger query (`LedgerQuery`) with the key and certificate that sign its
    /// acknowledgements, checked when the acknowledgement signer was made.
    public init(_ acknowledgements: AcknowledgementSigner) {
        signer = acknowledgements.signer
        certificate = acknowledgements.certificate
        originator = acknowledgements.originator
        convention = acknowledgements.convention
    }

    /// A signed get-request for `attribute` to `gateway`, numbered `transactionID` (the requester's counter).
    public func request(_ attribute: AttributeDescriptor, to gateway: SystemTitle, transactionID: UInt64,
                        at time: Date = Date()) async throws -> SignedRequest {
        let body = GetRequestNormal(invokeIDAndPriority: SignedRequest.invokeID(for: transactionID), attribute: attribute)
        return try await SignedRequest.sign(body, transactionID: transactionID, signer: signer, certificate: certificate,
                                            originator: originator, recipient: gateway, convention: convention, at: time)
    }

    /// The signed get-response answering `request`: its transaction id and invoke id echoed, addressed to its originator.
    public func response(_ result: GetResponseNormal.Result, answering request: SignedRequest,
                         at time: Date = Date()) async throws -> SignedResponse {
        let body = GetResponseNormal(invokeIDAndPriority: request.body.invokeIDAndPriority, result: result)
        return try await SignedResponse.sign(body, transactionID: request.transactionID, signer: signer, certificate: certificate,
                                             originator: originator, recipient: request.originator, convention: convention, at: time)
    }
}
