import COSEM
import Foundation
import Logging
import Metering
import PKI
import Signing
import SwiftASN1
import UplinkProtocol
import X509

/// Everything the head-end does with one frame from a gateway, without sockets: verify it end to end, check that it
/// comes from the gateway at the other end of the TLS connection, apply the replay and gap rules, store it, and sign
/// the acknowledgement. The listener (`HeadEndServer`) only moves bytes; tests call `process` directly.
///
/// For a frame from the TLS peer whose certificate names system title P:
/// 1. `RecordVerifier` checks it with the certificate the Central Directory holds for the serial its
///    `certificate_info` names (`certificates`, a `DirectoryCache` in the daemon) and a `CertificateValidator` built
///    with the current CRLs (`revocation`), failing closed without one.
/// 2. The frame's originator must be P: a gateway may not deliver another's frames, even validly signed ones
///    (refused for good, reason `originator`); its recipient must be this head-end (reason `recipient`).
/// 3. The ledger decides by transaction id: new, gap (logged and counted), late, duplicate or an old replay (refused
///    for good). An id the store holds is a duplicate (acknowledged again, stored once) only when the frame is
///    byte for byte the one stored; any other frame under that id is a conflict: refused for good, kept as
///    evidence, logged at error level and counted (the gateway's outbox was emptied or restored, and it numbered
///    a new reading with an id the head-end holds; a duplicate would have had the gateway delete it).
/// 4. The reading is stored in one transaction; only after the commit does the ledger learn of it. A failed write
///    is refused retry-later (`store`), so the gateway keeps the reading.
/// 5. A failed verification is refused with its first failed check (`Refusal(verification)`): retry-later when it
///    says nothing about the frame (revocation status or the directory unavailable), final otherwise. Every refusal
///    is logged and counted; only final ones are kept in the store (a retry-later frame comes again and gets its
///    verdict then).
/// 6. The acknowledgement is signed with the head-end's key and the next id of `AcknowledgementNumbering`.
///
/// A frame too broken to carry a transaction id is answered all the same, as transaction 0 refused (`frame`): the
/// gateway cannot match it to a frame it sent, but its log shows why.
///
/// A signed get-request among the frames is the gateway's `LedgerQuery` (`answer(_:from:at:)` tells them apart),
/// answered by `LedgerAnswerer`.
///
/// Calls for one connection must come one at a time, in the order the frames arrived: the acknowledgement ids then
/// grow in the order they are sent, as gateways require.
public struct FrameProcessor: Sendable {
    public let store: ReadingStore
    public let signer: AcknowledgementSigner
    public let certificates: any CertificateSource
    public let revocation: any RevocationListSource
    public let trustAnchors: [Certificate]
    public let intermediates: [Certificate]
    public let convention: GeneralSigning.SignedBytesConvention
    /// How far a gateway's clock may run ahead of the head-end's: readings measured further ahead of their receipt
    /// are flagged and counted (`ClockSkew`), and stored; a ledger query signed further away, either way, is refused
    /// (`LedgerAnswerer`). One setting, `readings.max_clock_skew`.
    public let maxClockSkew: Duration
    private let ledger: HeadEndLedger
    /// A gateway's certificate is checked for every frame: its path is built once a minute (and again at each new
    /// CRL), not for each frame.
    private let validations = ValidationCache()
    /// Gateways with slow cards sign batches: a root signature is checked once, the batch's other frames by their path.
    private let batchRoots = VerifiedBatchRoots()
    /// A gateway signs every frame under one certificate: its key and names are read once, not for each frame.
    private let signers = KnownSigners()
    /// The head-end's counter, shared by its acknowledgements and its signed requests: both strictly increase.
    public let numbering: AcknowledgementNumbering
    let logger: Logger
    private let ledgerAnswerer: LedgerAnswerer
    /// Called with every outcome, after it is stored and before its acknowledgement is sent (the daemon prints
    /// `outcome.line`).
    private let report: @Sendable (FrameOutcome) -> Void

    public init(
        store: ReadingStore, signer: AcknowledgementSigner, certificates: any CertificateSource,
        revocation: any RevocationListSource, trustAnchors: [Certificate], intermediates: [Certificate] = [],
        convention: GeneralSigning.SignedBytesConvention = .a, window: Int = ReceiverLedger.defaultWindow,
        maxClockSkew: Duration = ClockSkew.defaultMaximum,
        logger: Logger = Logger(label: "headend"), report: @escaping @Sendable (FrameOutcome) -> Void = { _ in }
    ) {
        self.store = store
        self.signer = signer
        self.certificates = certificates
        self.revocation = revocation
        self.trustAnchors = trustAnchors
        self.intermediates = intermediates
        self.convention = convention
        self.maxClockSkew = maxClockSkew
        self.ledger = HeadEndLedger(store: store, window: window)
        self.numbering = AcknowledgementNumbering(store: store)
        self.logger = logger
        self.report = report
        ledgerAnswerer = LedgerAnswerer(store: store, numbering: numbering, signer: ExchangeSigner(signer), certificates: certificates,
                                        convention: convention, maxClockSkew: maxClockSkew, logger: logger)
    }

    /// The validator for a check made now: the trust anchors and the CRLs current at this moment.
    public func validator() async -> CertificateValidator {
        CertificateValidator(trustAnchors: trustAnchors, intermediates: intermediates, crls: await revocation.crls(), cache: validations)
    }

    /// The answer to one frame from `peer`: the signed answer to a ledger query (a signed get-request), else the
    /// signed acknowledgement `process` gives a record frame. What the listener writes back, in order.
    public func answer(_ bytes: [UInt8], from peer: SystemTitle, at now: Date = Date()) async throws -> [UInt8] {
        if bytes.first == GeneralSigning.tag, bytes.count <= SignedRequest.maxFrameSize, let request = try? SignedRequest(decoding: bytes) {
            return try await ledgerAnswerer.answer(request, bytes: bytes, from: peer, validator: await validator(), at: now)
        }
        return try await process(bytes, from: peer, at: now).signedAcknowledgement
    }

    /// Processes one frame (the APDU, without the wrapper) from `peer`; returns the outcome with the signed
    /// acknowledgement. Throws only when the acknowledgement cannot be signed (the token is gone): the verdict
    /// stands (a stored reading stays stored) and the gateway, getting no answer, sends the frame again.
    public func process(_ bytes: [UInt8], from peer: SystemTitle, at now: Date = Date()) async throws -> FrameOutcome {
        // The CRL fetch that `validator()` may start is the cache's cost, not this frame's verification.
        let verifier = RecordVerifier(validator: await validator(), convention: convention, batchRoots: batchRoots, signers: signers)
        let clock = ContinuousClock()
        let started = clock.now
        let source = RememberingSource(certificates)
        let verification = await verifier.verify(frame: bytes, certificates: source, at: now)
        let elapsed = clock.now - started
        HeadEndMetrics.verification.recordNanoseconds(Int64(elapsed.components.seconds) * 1_000_000_000
            + Int64(elapsed.components.attoseconds / 1_000_000_000))

        let id = verification.transactionID
        let verdict: FrameOutcome.Verdict
        if let originator = verification.originator, originator != peer {
            verdict = .refused(Refusal(reason: .originator, disposition: .final,
                                       describing: "the frame's originator \(originator) is not the gateway of this TLS connection (\(peer))"))
        } else if let recipient = verification.recipient, recipient != signer.originator {
            verdict = .refused(Refusal(reason: .recipient, disposition: .final,
                                       describing: "the frame is addressed to \(recipient), not to this head-end (\(signer.originator))"))
        } else if let refusal = Refusal(verification) {
            verdict = .refused(refusal)
        } else if let id, let record = verification.record {
            verdict = await decideAndStore(id: id, record: record, frame: bytes, certificate: source.certificate, from: peer,
                                           verification: verification, at: now)
        } else {
            verdict = .refused(Refusal(reason: .content, disposition: .final, describing: "the frame passed without a record or transaction id"))
        }

        let acknowledgement: Acknowledgement
        switch verdict {
        case .stored: acknowledgement = Acknowledgement(transactionID: id ?? 0, outcome: .accepted)
        case .duplicate: acknowledgement = Acknowledgement(transactionID: id ?? 0, outcome: .duplicate)
        case .refused(let refusal): acknowledgement = Acknowledgement(transactionID: id ?? 0, outcome: .refused(refusal))
        }
        await account(verdict, id: id, frame: bytes, from: peer, at: now)

        let headEndID = try await numbering.next()
        let signed = try await signer.sign(acknowledgement, to: peer, transactionID: headEndID, at: now)
        let outcome = FrameOutcome(gateway: peer, transactionID: id, verdict: verdict, verification: verification,
                                   verificationTime: elapsed, acknowledgement: acknowledgement, signedAcknowledgement: signed.encoded)
        report(outcome)
        return outcome
    }

    /// The ledger's decision, and the write when it stores.
    private func decideAndStore(id: UInt64, record: MeasurementRecord, frame: [UInt8], certificate: Certificate?, from peer: SystemTitle,
                                verification: RecordVerification, at now: Date) async -> FrameOutcome.Verdict {
        let decision: LedgerDecision
        do {
            decision = try await ledger.decide(id, from: peer)
        } catch {
            return .refused(Refusal(reason: .store, disposition: .retryLater, describing: "the head-end cannot read its store: \(error)"))
        }
        guard decision.stores else {
            if case .refused(let refusal) = decision.acknowledgement(of: id).outcome { return .refused(refusal) }
            return await duplicateOrConflict(id: id, frame: frame, from: peer)
        }
        guard let certificate, let der = try? certificateDER(certificate) else {
            return .refused(Refusal(reason: .store, disposition: .retryLater, describing: "the signer's certificate could not be kept with the reading"))
        }
        let reading = StoredReading(
            gateway: peer, transactionID: id, measuredAt: record.measurementTime.unixTime.map(Self.date) ?? now, receivedAt: now,
            signerSerial: CertificateSerial(certificate.serialNumber).description,
            verdict: "verified: " + verification.checks.map(\.name).joined(separator: ", "),
            frame: frame, certificate: der, convention: convention
        )
        do {
            guard try await store.store(reading) else { return await duplicateOrConflict(id: id, frame: frame, from: peer) }
        } catch .idOutOfRange {
            // No gateway's outbox allocates such an id; sending it again cannot change the answer.
            return .refused(Refusal(reason: .store, disposition: .final, describing: "transaction id \(id) is above 2^63 - 1, which the store cannot hold"))
        } catch {
            logger.error("cannot store a reading", metadata: ["gateway": "\(peer)", "transaction": "\(id)", "error": "\(error)"])
            return .refused(Refusal(reason: .store, disposition: .retryLater, describing: "the head-end could not store the reading; send it again later"))
        }
        await ledger.recordStored(id, from: peer)
        observe(reading, record: record)
        if case .gap(let missing) = decision { return .stored(missing: missing) }
        return .stored(missing: nil)
    }

    /// The verdict on a frame under an id the store holds: a duplicate only when it is the very frame stored.
    private func duplicateOrConflict(id: UInt64, frame: [UInt8], from peer: SystemTitle) async -> FrameOutcome.Verdict {
        let stored: [UInt8]?
        do {
            stored = try await store.frame(gateway: peer, transactionID: id)
        } catch {
            return .refused(Refusal(reason: .store, disposition: .retryLater, describing: "the head-end cannot read its store: \(error)"))
        }
        guard let stored, stored != frame else { return .duplicate }
        return .refused(Refusal(reason: .conflict, disposition: .final, describing:
            "the head-end holds a different frame under transaction \(id); an id is never reused: renumber the reading above the highest id stored"))
    }

    static func date(_ time: UnixTime) -> Date {
        Date(timeIntervalSince1970: Double(time.seconds) + Double(time.hundredths) / 100)
    }

    private func certificateDER(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    /// Logs and counts the verdict, and keeps a final refusal.
    private func account(_ verdict: FrameOutcome.Verdict, id: UInt64?, frame: [UInt8], from peer: SystemTitle, at now: Date) async {
        let metadata: Logger.Metadata = ["gateway": "\(peer)", "transaction": "\(id.map(String.init) ?? "?")"]
        switch verdict {
        case .stored(let missing):
            HeadEndMetrics.stored.increment()
            if let missing {
                HeadEndMetrics.gaps.increment()
                HeadEndMetrics.missing.increment(by: Int64(clamping: missing.upperBound - missing.lowerBound + 1))
                logger.warning("gap in the gateway's transaction ids: \(missing.lowerBound)...\(missing.upperBound) missing", metadata: metadata)
            }
        case .duplicate:
            HeadEndMetrics.duplicates.increment()
            logger.info("duplicate reading acknowledged again", metadata: metadata)
        case .refused(let refusal):
            HeadEndMetrics.refused(refusal)
            if refusal.reason == .conflict {
                HeadEndMetrics.conflicts.increment()
                logger.error("conflict: the gateway sent a different frame under a transaction id already stored; the stored reading stays, the new frame is kept as a refusal (headend summary counts it)",
                             metadata: metadata)
            } else {
                logger.notice("refused a frame: \(refusal.reason) (\(refusal.disposition)): \(refusal.text)", metadata: metadata)
            }
            guard refusal.disposition == .final else { return }
            do {
                try await store.store(StoredRefusal(gateway: peer, transactionID: id, reason: refusal.reason, disposition: refusal.disposition,
                                                    text: refusal.text, at: now, frame: frame))
            } catch {
                logger.error("cannot keep a refusal", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            }
        }
    }
}
