import COSEM
import Foundation
import HeadEnd
import Metering
import PKI
import Synchronization
import TestSupport
import Testing
import X509

/// The head-end's handling of one frame, without sockets: verified readings stored once and acknowledged with a
/// signature the gateway accepts, refusals with the reason and disposition a gateway acts on, and the ledger's
/// memory across a restart.
@Suite("FrameProcessor: verify, store, acknowledge, refuse")
struct FrameProcessorTests {
    let fixture: HeadEndFixture

    init() async throws {
        fixture = try await HeadEndFixture("frame-processor")
    }

    @Test("a verified reading is stored with its frame and certificate, and the signed acknowledgement verifies at the gateway")
    func storesAndAcknowledges() async throws {
        let gateway = try await fixture.gateway("00DB1234567890A0")
        let store = try ReadingStore(path: fixture.storePath)
        let lines = Mutex<[String]>([])
        let processor = try fixture.processor(store: store) { outcome in lines.withLock { $0.append(outcome.line) } }

        let frame = try await gateway.frame(1)
        let outcome = try await processor.process(frame, from: gateway.title)
        #expect(outcome.verdict == .stored(missing: nil))
        #expect(outcome.acknowledgement == Acknowledgement(transactionID: 1, outcome: .accepted))
        let check = try await fixture.verifyAcknowledgement(outcome.signedAcknowledgement, to: gateway, sent: [1])
        #expect(check.passed, "\(check.checks.filter { !$0.passed })")

        let stored = try #require(try await store.reading(gateway: gateway.title, transactionID: 1))
        #expect(stored.frame == frame)
        #expect(try Certificate(derEncoded: stored.certificate) == gateway.certificate)
        #expect(stored.signerSerial == CertificateSerial(gateway.certificate.serialNumber).description)
        let line = try #require(lines.withLock { $0.first })
        #expect(line.hasPrefix("verified 00DB1234567890A0 #1 P=1234.5 W U1=230.3 V E+=1234567.5 Wh signature ok (verify "), "\(line)")
        #expect(line.hasSuffix(" ms)"))
    }

    @Test("a duplicate is acknowledged as duplicate and stored once; a gap is reported with the ids it skipped")
    func duplicateAndGap() async throws {
        let gateway = try await fixture.gateway("00DB1234567890A1")
        let store = try ReadingStore(path: fixture.storePath)
        let processor = try fixture.processor(store: store)

        let first = try await gateway.frame(1)
        _ = try await processor.process(first, from: gateway.title)
        let again = try await processor.process(first, from: gateway.title)
        #expect(again.verdict == .duplicate)
        #expect(again.acknowledgement.outcome == .duplicate)
        #expect(again.line == "duplicate 00DB1234567890A1 #1 acknowledged again")
        let check = try await fixture.verifyAcknowledgement(again.signedAcknowledgement, to: gateway, sent: [1])
        #expect(check.passed, "\(check.checks.filter { !$0.passed })")

        let jump = try await processor.process(try await gateway.frame(5), from: gateway.title)
        #expect(jump.verdict == .stored(missing: 2...4))
        let late = try await processor.process(try await gateway.frame(3), from: gateway.title)
        #expect(late.verdict == .stored(missing: nil))

        #expect(try await store.readings(gateway: gateway.title).map(\.transactionID) == [1, 3, 5])
        let summary = try await store.summary()
        #expect(summary == [GatewaySummary(gateway: gateway.title, readings: 3, highestTransactionID: 5, refusals: 0)])
    }

    @Test("after a restart (a new processor on the same store) a duplicate is still recognised, and acknowledgement ids keep growing")
    func restart() async throws {
        let gateway = try await fixture.gateway("00DB1234567890A2")
        let frame = try await gateway.frame(7)
        let firstID: UInt64
        do {
            let store = try ReadingStore(path: fixture.storePath)
            let outcome = try await fixture.processor(store: store).process(frame, from: gateway.title)
            #expect(outcome.verdict == .stored(missing: nil))
            firstID = try SignedAcknowledgement(decoding: outcome.signedAcknowledgement).transactionID
            try store.close()
        }
        let store = try ReadingStore(path: fixture.storePath)
        let outcome = try await fixture.processor(store: store).process(frame, from: gateway.title)
        #expect(outcome.verdict == .duplicate)
        let secondID = try SignedAcknowledgement(decoding: outcome.signedAcknowledgement).transactionID
        #expect(secondID > firstID)
        #expect(try await store.readings().count == 1)
    }

    @Test("a tampered frame is refused for good (signature), kept as a refusal, not stored as a reading")
    func tampered() async throws {
        let gateway = try await fixture.gateway("00DB1234567890A3")
        let store = try ReadingStore(path: fixture.storePath)
        let processor = try fixture.processor(store: store)
        var frame = try await gateway.frame(1)
        // A byte of the record's content (the meter number), inside what is signed.
        let meterNumber = Array("12345678".utf8)
        let index = try #require(frame.indices.first { Array(frame[$0...].prefix(8)) == meterNumber })
        frame[index] = UInt8(ascii: "9")
        let outcome = try await processor.process(frame, from: gateway.title)
        guard case .refused(let refusal) = outcome.verdict else { Issue.record("not refused: \(outcome.verdict)"); return }
        #expect(refusal.reason == .signature && refusal.disposition == .final)
        #expect(outcome.line.hasPrefix("refused 00DB1234567890A3 #1 signature: "), "\(outcome.line)")
        let check = try await fixture.verifyAcknowledgement(outcome.signedAcknowledgement, to: gateway, sent: [1])
        #expect(check.passed && check.acknowledgement?.outcome == .refused(refusal))
        #expect(try await store.readings().isEmpty)
        let kept = try await store.refusals()
        #expect(kept.map(\.reason) == [.signature] && kept.first?.frame == frame && kept.first?.transactionID == 1)
    }

    @Test("a frame signed with another gateway's key is refused (signature); one whose originator is not the TLS peer is refused (originator)")
    func wrongSignerAndOriginator() async throws {
        let gateway = try await fixture.gateway("00DB1234567890A4")
        let other = try await fixture.gateway("00DB1234567890A5")
        let store = try ReadingStore(path: fixture.storePath)
        let processor = try fixture.processor(store: store)

        // The gateway's frame and certificate_info, signed by the other gateway's key.
        var forged = try GeneralSigning(decoding: try await gateway.frame(1))
        forged.signature = try await other.key.sign(forged.signedBytes(.a), scheme: .ecdsa(.sha256)).bytes
        let outcome = try await processor.process(forged.encoded, from: gateway.title)
        guard case .refused(let refusal) = outcome.verdict else { Issue.record("not refused"); return }
        #expect(refusal.reason == .signature && refusal.disposition == .final)

        // The other gateway's genuine frame, delivered over this gateway's connection.
        let relayed = try await processor.process(try await other.frame(1), from: gateway.title)
        guard case .refused(let originator) = relayed.verdict else { Issue.record("not refused"); return }
        #expect(originator.reason == .originator && originator.disposition == .final)
        #expect(originator.text.contains("00DB1234567890A5") && originator.text.contains("00DB1234567890A4"))
        let check = try await fixture.verifyAcknowledgement(relayed.signedAcknowledgement, to: gateway, sent: [1])
        #expect(check.passed, "\(check.checks.filter { !$0.passed })")

        #expect(try await store.readings().isEmpty)
        #expect(try await store.refusals().map(\.reason) == [.signature, .originator])
    }

    @Test("an unknown signer while the directory is unreachable, or no current CRL: retry later, nothing stored or kept")
    func retryLater() async throws {
        let gateway = try await fixture.gateway("00DB1234567890A6")
        let store = try ReadingStore(path: fixture.storePath)

        let unreachable = try fixture.processor(store: store, certificates: UnreachableDirectory())
        let outcome = try await unreachable.process(try await gateway.frame(1), from: gateway.title)
        guard case .refused(let refusal) = outcome.verdict else { Issue.record("not refused"); return }
        #expect(refusal.reason == .certificate && refusal.disposition == .retryLater)

        let noCRL = try fixture.processor(store: store, crls: [])
        let second = try await noCRL.process(try await gateway.frame(1), from: gateway.title)
        guard case .refused(let status) = second.verdict else { Issue.record("not refused"); return }
        #expect(status.reason == .certificate && status.disposition == .retryLater)

        #expect(try await store.readings().isEmpty)
        #expect(try await store.refusals().isEmpty)

        // With the directory and the CRL back, the same frame is accepted.
        let back = try await fixture.processor(store: store).process(try await gateway.frame(1), from: gateway.title)
        #expect(back.verdict == .stored(missing: nil))
    }

    @Test("a revoked signer is refused for good")
    func revokedSigner() async throws {
        let gateway = try await fixture.gateway("00DB1234567890A7")
        try await fixture.authority.revoke(serial: CertificateSerial(gateway.certificate.serialNumber), reason: .keyCompromise)
        let store = try ReadingStore(path: fixture.storePath)
        let outcome = try await fixture.processor(store: store).process(try await gateway.frame(1), from: gateway.title)
        guard case .refused(let refusal) = outcome.verdict else { Issue.record("not refused"); return }
        #expect(refusal.reason == .certificate && refusal.disposition == .final)
        #expect(refusal.text.contains("revoked"))
    }

    @Test("a signer revoked after its frames verified is refused at its next frame: nothing kept of its certificate outlives the new CRL")
    func revokedAfterVerifying() async throws {
        let gateway = try await fixture.gateway("00DB1234567890A8")
        let store = try ReadingStore(path: fixture.storePath)
        let processor = FrameProcessor(store: store, signer: fixture.acknowledgementSigner, certificates: fixture.directory,
                                       revocation: PublishedCRL(fixture: fixture), trustAnchors: [fixture.authority.certificate])
        for id: UInt64 in 1...2 {
            #expect(try await processor.process(try await gateway.frame(id), from: gateway.title).verdict == .stored(missing: nil))
        }
        try await fixture.authority.revoke(serial: CertificateSerial(gateway.certificate.serialNumber), reason: .keyCompromise)
        let outcome = try await processor.process(try await gateway.frame(3), from: gateway.title)
        guard case .refused(let refusal) = outcome.verdict else { Issue.record("a revoked signer's frame passed on what was kept of it"); return }
        #expect(refusal.reason == .certificate && refusal.disposition == .final)
        #expect(refusal.text.contains("revoked"))
    }
}
