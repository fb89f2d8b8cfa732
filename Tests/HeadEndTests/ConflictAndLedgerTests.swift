import COSEM
import Foundation
import HeadEnd
import Metering
import PKI
import Synchronization
import TestSupport
import Testing
import X509

/// What the head-end does when a gateway's ids and its store disagree: a different frame under an id it holds is a
/// conflict (never a duplicate the gateway would delete), a frame for another head-end is refused, and a gateway
/// asks on each connect what the head-end holds of it (`LedgerQuery`).
@Suite("FrameProcessor: conflicts, recipient, ledger query")
struct ConflictAndLedgerTests {
    let fixture: HeadEndFixture

    init() async throws {
        fixture = try await HeadEndFixture("conflict-ledger")
    }

    @Test("the same id with other bytes is a conflict: refused for good, kept, logged, summarised; the very same bytes are a duplicate")
    func conflict() async throws {
        let gateway = try await fixture.gateway("00DB1234567890E0")
        let store = try ReadingStore(path: fixture.storePath)
        let lines = Mutex<[String]>([])
        let processor = try fixture.processor(store: store) { outcome in lines.withLock { $0.append(outcome.line) } }

        let first = try await gateway.frame(1)
        #expect(try await processor.process(first, from: gateway.title).verdict == .stored(missing: nil))
        #expect(try await processor.process(first, from: gateway.title).verdict == .duplicate)

        // An emptied outbox numbers its next reading 1 again: a validly signed frame, another reading's bytes.
        let reused = try await gateway.frame(1)
        #expect(reused != first)
        let outcome = try await processor.process(reused, from: gateway.title)
        guard case .refused(let refusal) = outcome.verdict else { Issue.record("not refused: \(outcome.verdict)"); return }
        #expect(refusal.reason == .conflict && refusal.disposition == .final)
        #expect(outcome.line.hasPrefix("refused 00DB1234567890E0 #1 conflict: "), "\(outcome.line)")
        let check = try await fixture.verifyAcknowledgement(outcome.signedAcknowledgement, to: gateway, sent: [1])
        #expect(check.passed && check.acknowledgement?.outcome == .refused(refusal), "\(check.checks.filter { !$0.passed })")

        // The stored reading is the first frame; the second is kept as evidence of the conflict.
        #expect(try await store.reading(gateway: gateway.title, transactionID: 1)?.frame == first)
        let kept = try await store.refusals(gateway: gateway.title)
        #expect(kept.map(\.reason) == [.conflict] && kept.first?.frame == reused && kept.first?.transactionID == 1)
        #expect(try await store.summary() == [GatewaySummary(gateway: gateway.title, readings: 1, highestTransactionID: 1, refusals: 1, conflicts: 1)])
        #expect(ReadingReport.lines(try await store.summary()).first == "00DB1234567890E0 readings 1 highest #1 missing 0 refusals 1 conflicts 1")
    }

    @Test("below the ledger's window and after a restart, a held id with other bytes is still a conflict, not a duplicate")
    func conflictBelowTheWindow() async throws {
        let gateway = try await fixture.gateway("00DB1234567890E1")
        let store = try ReadingStore(path: fixture.storePath)
        let processor = FrameProcessor(store: store, signer: fixture.acknowledgementSigner, certificates: fixture.directory,
                                       revocation: FixedRevocationLists([try fixture.crl()]), trustAnchors: [fixture.authority.certificate],
                                       window: 64)
        let first = try await gateway.frame(1)
        _ = try await processor.process(first, from: gateway.title)
        _ = try await processor.process(try await gateway.frame(200), from: gateway.title)

        let restarted = try fixture.processor(store: store)
        #expect(try await restarted.process(first, from: gateway.title).verdict == .duplicate)
        let outcome = try await processor.process(try await gateway.frame(1), from: gateway.title)
        guard case .refused(let refusal) = outcome.verdict else { Issue.record("not refused: \(outcome.verdict)"); return }
        #expect(refusal.reason == .conflict && refusal.disposition == .final)
        #expect(try await store.readings(gateway: gateway.title).map(\.frame).first == first)
    }

    @Test("a frame addressed to another head-end is refused for good (recipient), kept, not stored")
    func recipient() async throws {
        let gateway = try await fixture.gateway("00DB1234567890E2")
        let elsewhere = try RecordSigner(signer: gateway.key, certificate: gateway.certificate, originator: gateway.title,
                                         recipient: try SystemTitle(hex: "48454144454E4499"))
        let store = try ReadingStore(path: fixture.storePath)
        let processor = try fixture.processor(store: store)
        let frame = try await elsewhere.sign(try gateway.record(1), transactionID: 1).encoded
        let outcome = try await processor.process(frame, from: gateway.title)
        guard case .refused(let refusal) = outcome.verdict else { Issue.record("not refused: \(outcome.verdict)"); return }
        #expect(refusal.reason == .recipient && refusal.disposition == .final)
        #expect(refusal.text.contains("48454144454E4499") && refusal.text.contains(HeadEndFixture.headEndTitle.description))
        #expect(try await store.readings().isEmpty)
        #expect(try await store.refusals().map(\.reason) == [.recipient])
    }

    /// The gateway's ledger query, signed as gatewayd signs it, and the answer verified as gatewayd verifies it.
    func ask(_ processor: FrameProcessor, as gateway: TestGateway, from peer: SystemTitle? = nil, signedAt: Date = Date(),
             attribute: AttributeDescriptor = LedgerQuery.attribute) async throws -> (GetResponseNormal.Result?, ResponseVerification) {
        let id = LedgerQuery.nonce()
        let query = try await ExchangeSigner(gateway.signer).request(attribute, to: HeadEndFixture.headEndTitle, transactionID: id, at: signedAt)
        let answer = try await processor.answer(query.encoded, from: peer ?? gateway.title)
        let verification = await ResponseVerifier(validator: CertificateValidator(trustAnchors: [fixture.authority.certificate], crls: [try fixture.crl()]),
                                                  receiver: gateway.title, expectedOriginator: HeadEndFixture.headEndTitle)
            .verify(frame: answer, certificates: fixture.directory, transactionID: id)
        return (verification.verified?.body.result, verification)
    }

    @Test("a ledger query is answered, signed, with the highest id stored and a number every later acknowledgement exceeds")
    func ledgerQuery() async throws {
        let gateway = try await fixture.gateway("00DB1234567890E3")
        let store = try ReadingStore(path: fixture.storePath)
        let processor = try fixture.processor(store: store)

        let (empty, verification) = try await ask(processor, as: gateway)
        #expect(verification.passed, "\(verification.checks.filter { !$0.passed })")
        guard case .data(let data) = empty, let none = LedgerState(data) else { Issue.record("no ledger: \(String(describing: empty))"); return }
        #expect(none.highestTransactionID == 0)

        for id: UInt64 in [1, 2, 7] { _ = try await processor.process(try await gateway.frame(id), from: gateway.title) }
        let (held, _) = try await ask(processor, as: gateway)
        guard case .data(let data) = held, let state = LedgerState(data) else { Issue.record("no ledger: \(String(describing: held))"); return }
        #expect(state.highestTransactionID == 7)
        #expect(state.acknowledgementNumber > none.acknowledgementNumber)
        let next = try await processor.process(try await gateway.frame(8), from: gateway.title)
        #expect(try SignedAcknowledgement(decoding: next.signedAcknowledgement).transactionID > state.acknowledgementNumber)
        #expect(try await store.readings(gateway: gateway.title).count == 4, "a query is not a reading")
    }

    @Test("a ledger query from another gateway than the TLS peer, stale, or for another object is refused, signed, revealing nothing")
    func ledgerQueryRefused() async throws {
        let gateway = try await fixture.gateway("00DB1234567890E4")
        let other = try await fixture.gateway("00DB1234567890E5")
        let store = try ReadingStore(path: fixture.storePath)
        let processor = try fixture.processor(store: store)
        _ = try await processor.process(try await gateway.frame(3), from: gateway.title)

        let (relayed, relayedCheck) = try await ask(processor, as: gateway, from: other.title)
        #expect(relayedCheck.passed && relayed == .dataAccessError(.readWriteDenied), "\(String(describing: relayed))")
        let (stale, _) = try await ask(processor, as: gateway, signedAt: Date().addingTimeInterval(-3600))
        #expect(stale == .dataAccessError(.readWriteDenied), "\(String(describing: stale))")
        let (meter, _) = try await ask(processor, as: gateway, attribute: AttributeDescriptor(classID: 3, instance: try OBISCode("1.0.1.8.1.255"), attribute: 2))
        #expect(meter == .dataAccessError(.objectUndefined), "\(String(describing: meter))")
    }
}
