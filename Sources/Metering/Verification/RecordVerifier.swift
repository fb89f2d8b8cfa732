import COSEM
import Foundation
import PKI
import Signing
import SwiftASN1
import X509

/// Checks a signed record end to end, whatever hops it crossed: the frame's structure, that `certificate_info`
/// names the certificate, that the certificate's subject is the originator's system title, the signature over
/// the agreed bytes, the certificate's profile, chain and revocation (through the PKI's validator), and that the
/// content is a measurement record whose numbering matches the transaction id.
public struct RecordVerifier: Sendable {
    public var validator: CertificateValidator
    public var convention: GeneralSigning.SignedBytesConvention
    /// Batch roots already verified (a receiver's, shared across frames); nil checks every root signature.
    public var batchRoots: VerifiedBatchRoots?
    /// What was read from signers' certificates so far: this verifier's own, unless a receiver that makes a verifier
    /// per frame (for the CRLs current at that frame) shares one across them.
    public var signers: KnownSigners

    public init(validator: CertificateValidator, convention: GeneralSigning.SignedBytesConvention = .a, batchRoots: VerifiedBatchRoots? = nil,
                signers: KnownSigners = KnownSigners()) {
        self.validator = validator
        self.convention = convention
        self.batchRoots = batchRoots
        self.signers = signers
    }

    /// Verifies a frame with the certificate `certificates` holds for the serial its `certificate_info` names: how
    /// a receiver works, looking the signer up in the Central Directory.
    public func verify(frame bytes: [UInt8], certificates: some CertificateSource, at time: Date = Date()) async -> RecordVerification {
        let frame: GeneralSigning
        do {
            frame = try GeneralSigning(decoding: bytes)
        } catch {
            return Self.notAFrame(bytes, error)
        }
        let info: CertificateInfo
        do {
            info = try CertificateInfo(derEncoded: frame.otherInformation)
        } catch {
            var result = header(of: frame, size: bytes.count)
            result.check(.certificateInfo, false, "\(error)")
            return result
        }
        do {
            let certificate = try await certificates.certificate(for: info)
            return await verify(frame, size: bytes.count, certificate: certificate, info: info, at: time)
        } catch {
            var result = header(of: frame, size: bytes.count)
            result.check(.certificateInfo, true, "serial \(info.serialHex) of \(info.issuer)")
            result.lookupFailure = error
            result.check(.certificate, false, error.description)
            return result
        }
    }

    /// Verifies a frame with the certificate the caller has (an evidence file's, or one a user gave).
    public func verify(frame bytes: [UInt8], certificate: Certificate, at time: Date = Date()) async -> RecordVerification {
        do {
            return await verify(try GeneralSigning(decoding: bytes), size: bytes.count, certificate: certificate, info: nil, at: time)
        } catch {
            return Self.notAFrame(bytes, error)
        }
    }

    /// A record's signature field holds a signature of its own or a batch proof (`SignatureField`); a proof's
    /// root signature is checked once per `batchRoots`.
    private func signatureCheck(_ frame: GeneralSigning, signer: KnownSigners.Signer) -> (passed: Bool, detail: String) {
        let message = frame.signedBytes(convention)
        let key: PublicKey, spki: [UInt8]
        switch signer.key {
        case .success(let read): (key, spki) = read
        case .failure(let error): return (false, "the certificate's key is unusable: \(error)")
        }
        let field: SignatureField
        do {
            field = try SignatureField(frame.signature, algorithm: key.algorithm)
        } catch {
            return (false, "the signature field is neither a signature of the certificate's key nor a batch proof: \(error)")
        }
        guard case .batch(let proof) = field else {
            return SignerChecks.signature(frame.signature, over: message, by: key, convention: convention, what: "frame")
        }
        let root = proof.root(over: message)
        let scheme = SignedRecord.scheme(for: key.algorithm)
        let detail = "\(scheme) over a batch root, convention \(convention), leaf \(proof.index + 1) of \(proof.size)"
        if batchRoots?.contains(root, signature: proof.rootSignature, signer: spki) == true {
            return (true, detail + " (root verified before)")
        }
        guard root.isValidSignature(proof.rootSignature, by: key) else {
            return (false, "the batch signature does not verify (leaf \(proof.index + 1) of \(proof.size), \(scheme), convention \(convention)): the frame was changed, moved from another batch, or signed by another key")
        }
        batchRoots?.insert(root, signature: proof.rootSignature, signer: spki)
        return (true, detail)
    }

    private static func notAFrame(_ bytes: [UInt8], _ error: COSEMError) -> RecordVerification {
        var result = RecordVerification()
        result.check(.frame, false, "not a general-signing APDU: \(error)")
        return result
    }

    private func header(of frame: GeneralSigning, size: Int) -> RecordVerification {
        var result = RecordVerification()
        result.check(.frame, true, "general-signing of \(size) bytes")
        result.transactionID = SignedRecord.transactionID(of: frame)
        result.signedAt = frame.dateTime
        result.originator = try? SystemTitle(bytes: frame.originatorSystemTitle)
        result.recipient = try? SystemTitle(bytes: frame.recipientSystemTitle)
        return result
    }

    /// Whether the frame's `certificate_info` names `certificate`; `decoded` is the frame's, when the caller decoded it
    /// (to look the certificate up). A frame that names the certificate is reported as the certificate names itself.
    private func certificateInfoCheck(_ frame: GeneralSigning, decoded: CertificateInfo?, certificate: Certificate,
                                      signer: KnownSigners.Signer) -> (passed: Bool, detail: String) {
        if decoded == nil, let known = signer.certificateInfo, frame.otherInformation == known { return (true, signer.naming) }
        do {
            let info = try decoded ?? CertificateInfo(derEncoded: frame.otherInformation)
            return info.names(certificate) ? (true, signer.naming)
                : (false, "the frame names certificate \(info.serialHex) of \(info.issuer), not the one given (\(CertificateSerial(certificate.serialNumber)))")
        } catch {
            return (false, "\(error)")
        }
    }

    /// Every check of `frame` with `certificate`; `info` is the frame's `certificate_info` if the caller decoded it.
    private func verify(_ frame: GeneralSigning, size: Int, certificate: Certificate, info: CertificateInfo?, at time: Date) async -> RecordVerification {
        var result = header(of: frame, size: size)
        let signer = signers.signer(certificate)
        let named = certificateInfoCheck(frame, decoded: info, certificate: certificate, signer: signer)
        result.check(.certificateInfo, named.passed, named.detail)

        switch result.originator {
        case nil:
            result.check(.originator, false, "the originator system title is not 8 bytes")
        case let originator?:
            let title = originator.description
            if signer.commonName == title {
                result.check(.originator, true, "system title \(title) is the certificate's subject")
            } else {
                let subject = SubjectName.commonName(of: certificate.subject)
                result.check(.originator, false, "the frame comes from system title \(title), but the certificate is for \(subject ?? "no CN")")
            }
        }

        let signature = signatureCheck(frame, signer: signer)
        result.check(.signature, signature.passed, signature.detail)

        // A record is evidence of the time it was signed: a certificate revoked since for a reason that does not
        // reach back (a renewal's superseded) still vouches for it (`CRLReason.reachesBack`).
        let signedAt = frame.dateTime?.unixTime.map { Date(timeIntervalSince1970: Double($0.seconds) + Double($0.hundredths) / 100) }
        let trusted = await SignerChecks.certificate(certificate, validator: validator, at: time, signedAt: signedAt) { signers.signer($0).subject }
        result.certificateFailure = trusted.failure
        result.check(.certificate, trusted.passed, trusted.detail)

        do {
            let (record, invokeID) = try MeasurementRecord.decode(dataNotification: frame.content)
            result.record = record
            let id = result.transactionID ?? 0
            let consistent = result.transactionID != nil && record.sequenceNumber == UInt16(truncatingIfNeeded: id)
                && invokeID == UInt32(truncatingIfNeeded: id) & 0x00FF_FFFF
            result.check(.content, consistent, consistent ? "measurement record, \(record.counterValues.count) values, transaction \(id)"
                : "the record's sequence number or invoke id does not match transaction id \(id)")
        } catch {
            result.check(.content, false, "\(error)")
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
            result.check(.evidence, false, "\(error)")
            return result
        }
        var verifier = self
        verifier.convention = evidence.convention
        var result = await verifier.verify(frame: evidence.signedFrame, certificate: evidence.certificate, at: time)
        let frame = try? GeneralSigning(decoding: evidence.signedFrame)
        let consistent = result.record == evidence.record && frame?.signature == evidence.signature
            && frame.map { $0.otherInformation == (try? evidence.certificateInfo.derEncoded) } == true
        result.check(.evidence, consistent, consistent ? "its record, signature and certificate_info are those of the signed frame"
            : "its record, signature or certificate_info differ from the signed frame's")
        return result
    }
}
