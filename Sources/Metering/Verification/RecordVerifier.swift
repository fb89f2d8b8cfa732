import COSEM
import Foundation
import PKI
import Signing
import SwiftASN1
import X509

/// The outcome of checking a signed record: each check with its verdict, the record when it could be read, and
/// the one reason to reject it (the first failed check).
public struct RecordVerification: Sendable {
    public struct Check: Sendable, Hashable {
        public var name: String
        public var passed: Bool
        public var detail: String
    }

    public var checks: [Check] = []
    public var record: MeasurementRecord?
    public var transactionID: UInt64?
    public var originator: String?
    public var signedAt: COSEMDateTime?

    public var passed: Bool { !checks.isEmpty && checks.allSatisfy(\.passed) }
    public var failure: Check? { checks.first { !$0.passed } }

    mutating func check(_ name: String, _ passed: Bool, _ detail: String) {
        checks.append(Check(name: name, passed: passed, detail: detail))
    }
}

/// Checks a signed record end to end, whatever hops it crossed: the frame's structure, that `certificate_info`
/// names the certificate, that the certificate's subject is the originator's system title, the signature over
/// the agreed bytes, the certificate's profile, chain and revocation (through the PKI's validator), and that the
/// content is a measurement record whose numbering matches the transaction id.
public struct RecordVerifier: Sendable {
    public var validator: CertificateValidator
    public var convention: GeneralSigning.SignedBytesConvention

    public init(validator: CertificateValidator, convention: GeneralSigning.SignedBytesConvention = .a) {
        self.validator = validator
        self.convention = convention
    }

    public func verify(frame bytes: [UInt8], certificate: Certificate, at time: Date = Date()) async -> RecordVerification {
        var result = RecordVerification()
        let frame: GeneralSigning
        do {
            frame = try GeneralSigning(decoding: bytes)
            result.check("frame", true, "general-signing of \(bytes.count) bytes")
        } catch {
            result.check("frame", false, "not a general-signing APDU: \(error)")
            return result
        }
        result.transactionID = SignedRecord.transactionID(of: frame)
        result.signedAt = frame.dateTime
        let originator = (try? SystemTitle(bytes: frame.originatorSystemTitle))?.description
        result.originator = originator

        do {
            let info = try CertificateInfo(derEncoded: frame.otherInformation)
            result.check("certificate_info", info.names(certificate),
                         info.names(certificate) ? "serial \(info.serialHex) of \(info.issuer)"
                             : "the frame names certificate \(info.serialHex) of \(info.issuer), not the one given (\(certificate.serialNumber.bytes.hexString))")
        } catch {
            result.check("certificate_info", false, "\(error)")
        }

        let subject = SubjectName.commonName(of: certificate.subject)
        result.check("originator", originator != nil && subject?.uppercased() == originator,
                     originator == nil ? "the originator system title is not 8 bytes"
                         : subject?.uppercased() == originator ? "system title \(originator!) is the certificate's subject"
                         : "the frame comes from system title \(originator!), but the certificate is for \(subject ?? "no CN")")

        do {
            let key = try PublicKey(subjectPublicKeyInfo: try derBytes(certificate.publicKey))
            let signature = Signature(scheme: SignedRecord.scheme(for: key.algorithm), bytes: frame.signature)
            let valid = key.isValidSignature(signature, for: frame.signedBytes(convention))
            result.check("signature", valid, valid ? "\(signature.scheme) over convention \(convention)"
                                                   : "the signature does not verify (\(signature.scheme), convention \(convention)): the frame was changed or signed by another key")
        } catch {
            result.check("signature", false, "the certificate's key is unusable: \(error)")
        }

        switch await validator.validate(certificate, profile: .sign, at: time) {
        case .valid(let chain):
            result.check("certificate", true, "chains to \(chain.last?.subject.description ?? "?"), signing profile, not revoked")
        case .invalid(let reason):
            result.check("certificate", false, reason)
        }

        do {
            let (record, invokeID) = try MeasurementRecord.decode(dataNotification: frame.content)
            result.record = record
            let id = result.transactionID ?? 0
            let consistent = result.transactionID != nil && record.sequenceNumber == UInt16(truncatingIfNeeded: id)
                && invokeID == UInt32(truncatingIfNeeded: id) & 0x00FF_FFFF
            result.check("content", consistent, consistent ? "measurement record, \(record.counterValues.count) values, transaction \(id)"
                                                           : "the record's sequence number or invoke id does not match transaction id \(id)")
        } catch {
            result.check("content", false, "\(error)")
        }
        return result
    }
}



extension RecordVerifier {
    /// Checks an evidence file: the signed frame inside it with the certificate inside it (every check of
    /// `verify(frame:certificate:)`), and that its readable copy of the record, signature and certificate_info are
    /// exactly what the frame carries.
    public func verify(evidence bytes: [UInt8], at time: Date = Date()) async -> RecordVerification {
        let evidence: SignedMeasurementEvidence
        do {
            evidence = try SignedMeasurementEvidence(derEncoded: bytes)
        } catch {
            var result = RecordVerification()
            result.check("evidence", false, "\(error)")
            return result
        }
        var verifier = self
        verifier.convention = evidence.convention
        var result = await verifier.verify(frame: evidence.signedFrame, certificate: evidence.certificate, at: time)
        let frame = try? GeneralSigning(decoding: evidence.signedFrame)
        let consistent = result.record == evidence.record && frame?.signature == evidence.signature
            && frame.map { $0.otherInformation == (try? evidence.certificateInfo.derEncoded) } == true
        result.check("evidence", consistent, consistent ? "its record, signature and certificate_info are those of the signed frame"
                                                        : "its record, signature or certificate_info differ from the signed frame's")
        return result
    }
}
