import COSEM
import Foundation
import PKI
import Signing
import X509

/// Checks a signed request (at the gateway) or response (at the head-end) end to end: the layout, the signer's
/// certificate found by the serial in `certificate_info` (the Central Directory, through a cache), that the
/// certificate's subject is the originator, that the frame is for this receiver, the signature, and the certificate
/// (chain, validity, signing profile, revocation). What only the receiver can judge (is the requester allowed this
/// object, is the request fresh) is the receiver's policy, after this.
public struct ExchangeVerifier<Body: ExchangeBody>: Sendable {
    public var validator: CertificateValidator
    /// This receiver's system title: the frame's recipient must be it.
    public var receiver: SystemTitle
    /// For a response: the gateway that was asked. Nil for a request: any requester, as long as its certificate is
    /// for the system title it claims (authorisation is the gateway's allow-list).
    public var expectedOriginator: SystemTitle?
    public var convention: GeneralSigning.SignedBytesConvention

    public init(validator: CertificateValidator, receiver: SystemTitle, expectedOriginator: SystemTitle? = nil,
                convention: GeneralSigning.SignedBytesConvention = .a) {
        self.validator = validator
        self.receiver = receiver
        self.expectedOriginator = expectedOriginator
        self.convention = convention
    }

    /// - Parameter transactionID: for a response, the id of the request it must answer.
    public func verify(frame bytes: [UInt8], certificates: some CertificateSource, transactionID: UInt64? = nil,
                       at time: Date = Date()) async -> ExchangeVerification<Body> {
        var result = ExchangeVerification<Body>()
        let signed: SignedExchange<Body>
        do {
            signed = try SignedExchange<Body>(decoding: bytes)
        } catch {
            result.decodingError = error
            result.check(.frame, false, error.description)
            return result
        }
        result.decoded = signed
        result.check(.frame, true, "\(Body.role) of \(bytes.count) bytes, transaction \(signed.transactionID), from \(signed.originator)")
        let info = signed.certificateInfo
        let certificate: Certificate
        do {
            certificate = try await certificates.certificate(for: info)
        } catch {
            result.lookupFailure = error
            result.check(.certificateInfo, true, "serial \(info.serialHex) of \(info.issuer)")
            checkAddresses(signed, certificate: nil, into: &result)
            result.check(.certificate, false, error.description)
            checkTransaction(signed, expected: transactionID, into: &result)
            return result
        }
        result.certificate = certificate
        let names = info.names(certificate)
        result.check(.certificateInfo, names, names ? "serial \(info.serialHex) of \(info.issuer)"
            : "the \(Body.role) names certificate \(info.serialHex) of \(info.issuer), not the one found (\(CertificateSerial(certificate.serialNumber)))")
        checkAddresses(signed, certificate: certificate, into: &result)
        let signature = SignerChecks.signature(signed.signature, over: signed.signedBytes(convention), by: certificate,
                                               convention: convention, what: Body.role)
        result.check(.signature, signature.passed, signature.detail)
        let trusted = await SignerChecks.certificate(certificate, validator: validator, at: time)
        result.certificateFailure = trusted.failure
        result.check(.certificate, trusted.passed, trusted.detail)
        checkTransaction(signed, expected: transactionID, into: &result)
        return result
    }

    private func checkAddresses(_ signed: SignedExchange<Body>, certificate: Certificate?, into result: inout ExchangeVerification<Body>) {
        let subject = certificate.map { SubjectName.commonName(of: $0.subject) ?? "no CN" }
        if let expectedOriginator, signed.originator != expectedOriginator {
            result.check(.originator, false, "the \(Body.role) comes from system title \(signed.originator), not \(expectedOriginator)")
        } else if let subject, subject.uppercased() != signed.originator.description {
            result.check(.originator, false, "the \(Body.role) comes from system title \(signed.originator), but the certificate is for \(subject)")
        } else {
            result.check(.originator, true, "\(signed.originator)" + (subject == nil ? "" : ", the certificate's subject"))
        }
        let addressed = signed.recipient == receiver
        result.check(.recipient, addressed, addressed ? "this receiver, \(receiver)"
            : "the \(Body.role) is addressed to \(signed.recipient), not \(receiver)")
    }

    private func checkTransaction(_ signed: SignedExchange<Body>, expected: UInt64?, into result: inout ExchangeVerification<Body>) {
        guard let expected else { return }
        let echoed = signed.transactionID == expected
        result.check(.transaction, echoed, echoed ? "answers transaction \(expected)"
            : "answers transaction \(signed.transactionID), not the request's \(expected)")
    }
}

public typealias RequestVerifier = ExchangeVerifier<GetRequestNormal>
public typealias ResponseVerifier = ExchangeVerifier<GetResponseNormal>
