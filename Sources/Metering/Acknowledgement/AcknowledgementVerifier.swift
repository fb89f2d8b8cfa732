import COSEM
import Foundation
import PKI
import Signing
import X509

/// Checks a signed acknowledgement at the gateway before it marks a reading delivered: that the bytes are an
/// acknowledgement, that `certificate_info` names the certificate found for it, that it comes from the head-end this
/// gateway talks to and is addressed to this gateway, the signature, the head-end certificate's chain, signing
/// profile and revocation (through the PKI's validator), that it answers a transaction this gateway sent, and that
/// the head-end's own transaction id has moved on since the last acknowledgement accepted.
///
/// Each of the last checks closes a way to mark a reading delivered that was not stored: a frame signed by any other
/// key (another head-end's, the gateway's own) fails the originator or signature check; another gateway's
/// acknowledgement fails the recipient; an acknowledgement of an id never sent, or an old one replayed, fails the
/// transaction or sequence check.
public struct AcknowledgementVerifier: Sendable {
    public var validator: CertificateValidator
    /// The head-end's system title: the only originator accepted.
    public var headEnd: SystemTitle
    /// This gateway's system title: the only recipient accepted.
    public var gateway: SystemTitle
    public var convention: GeneralSigning.SignedBytesConvention

    public init(validator: CertificateValidator, headEnd: SystemTitle, gateway: SystemTitle,
                convention: GeneralSigning.SignedBytesConvention = .a) {
        self.validator = validator
        self.headEnd = headEnd
        self.gateway = gateway
        self.convention = convention
    }

    /// Verifies an acknowledgement with the certificate `certificates` holds for the serial its `certificate_info`
    /// names (the Central Directory, through Transport's `DirectoryCache`, in the gateway).
    /// - Parameters:
    ///   - sent: the gateway's transaction ids that await an acknowledgement; any other is refused.
    ///   - lastAccepted: the head-end transaction id of the last acknowledgement accepted, if the gateway kept it.
    public func verify(frame bytes: [UInt8], certificates: some CertificateSource, sent: Set<UInt64>,
                       after lastAccepted: UInt64? = nil, at time: Date = Date()) async -> AcknowledgementVerification {
        let signed: SignedAcknowledgement
        do {
            signed = try SignedAcknowledgement(decoding: bytes)
        } catch {
            return Self.notAnAcknowledgement(error)
        }
        do {
            let certificate = try await certificates.certificate(for: signed.certificateInfo)
            return await verify(signed, certificate: certificate, sent: sent, after: lastAccepted, at: time)
        } catch {
            var result = AcknowledgementVerification()
            result.decoded = signed
            result.check(.frame, true, "acknowledgement of \(bytes.count) bytes")
            result.check(.certificateInfo, true, "serial \(signed.certificateInfo.serialHex) of \(signed.certificateInfo.issuer)")
            checkAddresses(signed, certificate: nil, into: &result)
            result.lookupFailure = error
            result.check(.certificate, false, error.description)
            checkTransaction(signed, sent: sent, after: lastAccepted, into: &result)
            return result
        }
    }

    /// Verifies an acknowledgement with a certificate the caller has.
    public func verify(frame bytes: [UInt8], certificate: Certificate, sent: Set<UInt64>,
                       after lastAccepted: UInt64? = nil, at time: Date = Date()) async -> AcknowledgementVerification {
        do {
            return await verify(try SignedAcknowledgement(decoding: bytes), certificate: certificate, sent: sent,
                                after: lastAccepted, at: time)
        } catch {
            return Self.notAnAcknowledgement(error)
        }
    }

    private static func notAnAcknowledgement(_ error: AcknowledgementError) -> AcknowledgementVerification {
        var result = AcknowledgementVerification()
        result.decodingError = error
        result.check(.frame, false, error.description)
        return result
    }

    private func verify(_ signed: SignedAcknowledgement, certificate: Certificate, sent: Set<UInt64>,
                        after lastAccepted: UInt64?, at time: Date) async -> AcknowledgementVerification {
        var result = AcknowledgementVerification()
        result.decoded = signed
        result.check(.frame, true, "acknowledgement of transaction \(signed.acknowledgement.transactionID), head-end transaction \(signed.transactionID)")
        let info = signed.certificateInfo
        let names = info.names(certificate)
        result.check(.certificateInfo, names, names ? "serial \(info.serialHex) of \(info.issuer)"
            : "the acknowledgement names certificate \(info.serialHex) of \(info.issuer), not the one given (\(CertificateSerial(certificate.serialNumber)))")

        checkAddresses(signed, certificate: certificate, into: &result)

        let signature = SignerChecks.signature(signed.signature, over: signed.signedBytes(convention), by: certificate,
                                               convention: convention, what: "acknowledgement")
        result.check(.signature, signature.passed, signature.detail)

        let trusted = await SignerChecks.certificate(certificate, validator: validator, at: time)
        result.certificateFailure = trusted.failure
        result.check(.certificate, trusted.passed, trusted.detail)

        checkTransaction(signed, sent: sent, after: lastAccepted, into: &result)
        return result
    }

    /// Originator and recipient; without a certificate (the lookup failed) only the expected head-end is checked.
    private func checkAddresses(_ signed: SignedAcknowledgement, certificate: Certificate?, into result: inout AcknowledgementVerification) {
        let subject = certificate.map { SubjectName.commonName(of: $0.subject) ?? "no CN" }
        if signed.originator != headEnd {
            result.check(.originator, false, "the acknowledgement comes from system title \(signed.originator), not the head-end \(headEnd)")
        } else if let subject, subject.uppercased() != signed.originator.description {
            result.check(.originator, false, "the acknowledgement comes from system title \(signed.originator), but the certificate is for \(subject)")
        } else {
            result.check(.originator, true, "the head-end \(headEnd)" + (subject == nil ? "" : ", the certificate's subject"))
        }
        let addressed = signed.recipient == gateway
        result.check(.recipient, addressed, addressed ? "this gateway, \(gateway)"
            : "the acknowledgement is addressed to \(signed.recipient), not this gateway (\(gateway))")
    }

    private func checkTransaction(_ signed: SignedAcknowledgement, sent: Set<UInt64>, after lastAccepted: UInt64?,
                                  into result: inout AcknowledgementVerification) {
        let id = signed.acknowledgement.transactionID
        let awaited = sent.contains(id)
        result.check(.transaction, awaited, awaited ? "transaction \(id) was sent and awaits an acknowledgement"
            : "transaction \(id) is not one this gateway sent and awaits")
        if let lastAccepted {
            let fresh = signed.transactionID > lastAccepted
            result.check(.sequence, fresh, fresh ? "head-end transaction \(signed.transactionID) follows \(lastAccepted)"
                : "head-end transaction \(signed.transactionID) does not follow the last accepted, \(lastAccepted): an old acknowledgement")
        } else {
            result.check(.sequence, true, "head-end transaction \(signed.transactionID), the first since the gateway started")
        }
    }
}
