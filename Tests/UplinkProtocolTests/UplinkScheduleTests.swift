import COSEM
import Foundation
import Metering
import PKI
import PKIStore
import Signing
import TestSupport
import Testing
import UplinkProtocol
import X509

/// The gateway's session and the head-end's ledger talking through byte streams that lose, cut and duplicate,
/// with real signatures both ways: signed records up, signed acknowledgements down, each verified as the daemons
/// will. A seeded schedule of sends, deliveries, duplicated acknowledgements, lost connections, reconnects and
/// spells without revocation status; whatever it does, every reading is stored once and delivered once.
@Suite("Uplink under a random schedule: every reading stored once and acknowledged")
struct UplinkScheduleTests {
    static let gatewayTitle = try! SystemTitle(hex: "00DB1234567890A0")
    static let headEndTitle = try! SystemTitle(hex: "48454144454E4401")

    /// The PKI, keys and signers both sides use; made once per test.
    struct Parties {
        let scratch: ScratchDirectory
        let records: RecordSigner
        let acknowledgements: AcknowledgementSigner
        let gatewayCertificate: Certificate
        let headEndCertificate: Certificate
        let validator: CertificateValidator
        /// What a verifier has while no revocation status can be had (no CRL): a refusal to retry later.
        let blindValidator: CertificateValidator

        init() async throws {
            scratch = try ScratchDirectory("uplink")
            let authority = try await CertificateAuthority.create(
                directory: PKIDirectory(path: scratch.path("pki")), keyURI: "software",
                signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Uplink Test Root"),
                validity: try Validity("5y"), url: nil
            )
            func issue(_ key: SoftwareSigner, _ title: SystemTitle) async throws -> Certificate {
                let csr = try await CertificateRequests.make(signer: key, subject: try SubjectName.parse("CN=\(title)"))
                return try await authority.issue(csr, profile: .sign, validity: try Validity("1y"))
            }
            let gatewayKey = try SoftwareSigner(generating: .ecdsa(.p256))
            let headEndKey = try SoftwareSigner(generating: .ecdsa(.p256))
            gatewayCertificate = try await issue(gatewayKey, UplinkScheduleTests.gatewayTitle)
            headEndCertificate = try await issue(headEndKey, UplinkScheduleTests.headEndTitle)
            records = try RecordSigner(signer: gatewayKey, certificate: gatewayCertificate,
                                       originator: UplinkScheduleTests.gatewayTitle, recipient: UplinkScheduleTests.headEndTitle)
            acknowledgements = try AcknowledgementSigner(signer: headEndKey, certificate: headEndCertificate,
                                                         originator: UplinkScheduleTests.headEndTitle)
            let crl = try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: authority.directory.crlPath))))
            validator = CertificateValidator(trustAnchors: [authority.certificate], crls: [crl])
            blindValidator = CertificateValidator(trustAnchors: [authority.certificate], crls: [])
        }

        func record(_ id: UInt64) throws -> MeasurementRecord {
            try MeasurementRecord(
                measurementTime: COSEMDateTime(unixTime: UnixTime(seconds: 1_795_608_000 + Int64(id)))!,
                sequenceNumber: UInt16(truncatingIfNeeded: id), meterIdent: "PAC3200", meterNumber: "12345678",
                locationIdent: "Substation 7",
                counterValues: [CounterValue(obis: try OBISCode("1.0.1.8.0.255"), value: Double(id) * 10, scaler: 0, unit: 30)],
                errorCode: 0, state: BitString(count: 32, bytes: [0, 0, 0, 0])!
            )
        }
    }

    /// The head-end's side of one connection: frames out of the byte stream, verified, decided, stored, answered.
    struct HeadEnd {
        var ledger = ReceiverLedger(window: 64)
        var stored: [UInt64: Int] = [:]
        var reportedMissing: [UInt64: Int] = [:]
        var late: Set<UInt64> = []
        /// The first id stored: the ledger has no baseline before it, so ids below it are never reported missing.
        var firstStored: UInt64?
        var counter: UInt64 = 0
        var splitter = WrapperFrameSplitter()
        var revocationUnavailable = false

        /// The acknowledgements (wrapped bytes) for the frames the bytes complete.
        mutating func receive(_ bytes: ArraySlice<UInt8>, parties: Parties) async throws -> [[UInt8]] {
            splitter.append(bytes)
            var answers: [[UInt8]] = []
            while let frame = try splitter.next() {
                let verifier = RecordVerifier(validator: revocationUnavailable ? parties.blindValidator : parties.validator)
                let verification = await verifier.verify(frame: frame.apdu, certificate: parties.gatewayCertificate)
                let id = try #require(verification.transactionID)
                let acknowledgement: Acknowledgement
                if let refusal = Refusal(verification) {
                    #expect(refusal.disposition == .retryLater, "\(refusal.text)")
                    acknowledgement = Acknowledgement(transactionID: id, outcome: .refused(refusal))
                } else {
                    let held = Set(stored.keys)
                    let decision = ledger.decide(id, from: UplinkScheduleTests.gatewayTitle) { held.contains($0) }
                    switch decision {
                    case .gap(let missing): for missingID in missing { reportedMissing[missingID, default: 0] += 1 }
                    case .late: late.insert(id)
                    case .replayOfOld: Issue.record("frame \(id) refused as a replay")
                    case .new, .duplicate: break
                    }
                    if decision.stores {
                        if firstStored == nil { firstStored = id }
                        stored[id, default: 0] += 1
                        ledger.recordStored(id, from: UplinkScheduleTests.gatewayTitle)
                    }
                    acknowledgement = decision.acknowledgement(of: id)
                }
                counter += 1
                let signed = try await parties.acknowledgements.sign(acknowledgement, to: UplinkScheduleTests.gatewayTitle,
                                                                     transactionID: counter)
                answers.append(try WrapperFrame(source: 1, destination: 16, apdu: signed.encoded).encoded)
            }
            return answers
        }
    }

    /// The gateway's side: the session, the acknowledgement verifier and its memory of the head-end's last id.
    struct Gateway {
        var session: GatewaySession
        var splitter = WrapperFrameSplitter()
        var lastAccepted: UInt64?
        var delivered: [UInt64: Int] = [:]
        var retries = 0
        var refusedAcknowledgements = 0

        mutating func receive(_ bytes: ArraySlice<UInt8>, parties: Parties) async throws {
            splitter.append(bytes)
            let verifier = AcknowledgementVerifier(validator: parties.validator, headEnd: UplinkScheduleTests.headEndTitle,
                                                   gateway: UplinkScheduleTests.gatewayTitle)
            while let frame = try splitter.next() {
                let result = await verifier.verify(frame: frame.apdu, certificates: FixedCertificateSource(parties.headEndCertificate),
                                                   sent: Set(session.inFlightIDs), after: lastAccepted)
                guard let acknowledgement = result.acknowledgement else {
                    // Only a duplicated copy may be refused: an old head-end id, for an id no longer in flight.
                    let failed = Set(result.checks.filter { !$0.passed }.map(\.kind))
                    #expect(failed.isSubset(of: [.sequence, .transaction]), "\(result.checks.filter { !$0.passed })")
                    refusedAcknowledgements += 1
                    continue
                }
                lastAccepted = result.headEndTransactionID
                switch session.received(acknowledgement) {
                case .delivered(let id): delivered[id, default: 0] += 1
                case .retryLater: retries += 1
                case .refusedFinal(let id, let refusal): Issue.record("frame \(id) refused: \(refusal.text)")
                case .ignored(let id): Issue.record("a verified acknowledgement of \(id), which is not in flight")
                }
            }
        }
    }

    /// What one schedule did, to show the schedules reach every rule.
    struct Tally {
        var losses = 0, duplicatedAcknowledgements = 0, refusedAcknowledgements = 0, retries = 0
        var gaps = 0, late = 0

        static func + (a: Tally, b: Tally) -> Tally {
            Tally(losses: a.losses + b.losses, duplicatedAcknowledgements: a.duplicatedAcknowledgements + b.duplicatedAcknowledgements,
                  refusedAcknowledgements: a.refusedAcknowledgements + b.refusedAcknowledgements, retries: a.retries + b.retries,
                  gaps: a.gaps + b.gaps, late: a.late + b.late)
        }
    }

    @Test("seeded schedules: no reading lost, none stored or delivered twice, the window never exceeded")
    func schedules() async throws {
        let parties = try await Parties()
        var total = Tally()
        for seed in UInt64(1)...16 { total = total + (try await schedule(seed: seed, parties: parties)) }
        // Together the schedules reached every rule; a change that stopped them from doing so fails here.
        #expect(total.losses > 0 && total.duplicatedAcknowledgements > 0 && total.refusedAcknowledgements > 0, "\(total)")
        #expect(total.retries > 0 && total.gaps > 0 && total.late > 0, "\(total)")
    }

    /// One schedule of `seed`; records an issue for every broken promise.
    func schedule(seed: UInt64, parties: Parties) async throws -> Tally {
        var random = SplitMix64(seed: seed)
        let window = 1 + random.next(below: 6)
        var headEnd = HeadEnd()
        var gateway = Gateway(session: try GatewaySession(window: window, maxSpread: headEnd.ledger.window))
        var up: [UInt8] = []
        var down: [UInt8] = []
        var outbox: [UInt64] = []
        var skipped: Set<UInt64> = []
        var nextID: UInt64 = 1
        let readings = 100
        var losses = 0
        var duplicatedAcknowledgements = 0
        gateway.session.connectionEstablished()

        /// One step of the world; `calm` leaves out losses, duplicates and revocation trouble, to finish.
        func step(calm: Bool) async throws {
            switch random.next(below: calm ? 4 : 9) {
            case 0 where outbox.count < readings:
                // The outbox signs the next reading; now and then an id is burnt (a crash between counter and sign).
                if !calm, random.next(below: 8) == 0 {
                    skipped.insert(nextID)
                    nextID += 1
                }
                let frame = try await parties.records.sign(try parties.record(nextID), transactionID: nextID)
                try gateway.session.enqueue(OutgoingFrame(
                    transactionID: nextID, bytes: try WrapperFrame(source: 16, destination: 1, apdu: frame.encoded).encoded))
                outbox.append(nextID)
                nextID += 1
            case 1:
                while let frame = gateway.session.nextToSend() { up += frame.bytes }
                #expect(gateway.session.inFlightIDs.count <= window, "seed \(seed): window \(window) exceeded")
            case 2:
                let count = min(up.count, 1 + random.next(below: 400))
                for answer in try await headEnd.receive(up.prefix(count), parties: parties) {
                    down += answer
                    if !calm, random.next(below: 4) == 0 {
                        down += answer
                        duplicatedAcknowledgements += 1
                    }
                }
                up.removeFirst(count)
            case 3:
                let count = min(down.count, 1 + random.next(below: 400))
                try await gateway.receive(down.prefix(count), parties: parties)
                down.removeFirst(count)
                if gateway.session.isHolding, calm || random.next(below: 3) == 0 { gateway.session.retryNow() }
            case 4, 5:
                if !gateway.session.isConnected { gateway.session.connectionEstablished() }
            case 6 where random.next(below: 4) == 0:
                // The connection drops: what was on the wire in either direction is gone, half-read frames too.
                gateway.session.connectionLost()
                up.removeAll()
                down.removeAll()
                headEnd.splitter = WrapperFrameSplitter()
                gateway.splitter = WrapperFrameSplitter()
                losses += 1
            case 7:
                headEnd.revocationUnavailable = random.next(below: 3) == 0
            default:
                if gateway.session.isHolding { gateway.session.retryNow() }
            }
        }

        for _ in 0..<2000 { try await step(calm: false) }
        headEnd.revocationUnavailable = false
        var rounds = 0
        while outbox.count < readings || !gateway.session.isIdle || !up.isEmpty || !down.isEmpty {
            if !gateway.session.isConnected { gateway.session.connectionEstablished() }
            try await step(calm: true)
            rounds += 1
            guard rounds < 20_000 else {
                Issue.record("seed \(seed): not settled; in flight \(gateway.session.inFlightIDs), queued \(gateway.session.queuedIDs)")
                return Tally()
            }
        }

        let sent = Set(outbox)
        #expect(Set(headEnd.stored.keys) == sent, "seed \(seed): stored ids")
        #expect(headEnd.stored.values.allSatisfy { $0 == 1 }, "seed \(seed): a reading stored twice")
        #expect(Set(gateway.delivered.keys) == sent, "seed \(seed): delivered ids")
        #expect(gateway.delivered.values.allSatisfy { $0 == 1 }, "seed \(seed): a reading delivered twice")
        // Every burnt id is reported missing once; any other id reported missing arrived late, and was stored.
        #expect(headEnd.reportedMissing.values.allSatisfy { $0 == 1 }, "seed \(seed): a gap reported twice")
        let firstStored = try #require(headEnd.firstStored)
        #expect(skipped.filter { $0 > firstStored }.isSubset(of: Set(headEnd.reportedMissing.keys)), "seed \(seed): a burnt id not reported")
        #expect(Set(headEnd.reportedMissing.keys).subtracting(skipped).isSubset(of: headEnd.late))
        return Tally(losses: losses, duplicatedAcknowledgements: duplicatedAcknowledgements,
                     refusedAcknowledgements: gateway.refusedAcknowledgements, retries: gateway.retries,
                     gaps: headEnd.reportedMissing.count, late: headEnd.late.count)
    }
}
