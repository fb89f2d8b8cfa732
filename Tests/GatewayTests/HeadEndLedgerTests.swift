import COSEM
import Foundation
import Logging
import Metering
import PKI
import PKIStore
import Signing
import TestSupport
import Testing
import X509
@testable import Gateway

/// The outbox's side of issue 17, items 1 and 8: its ids move forward past what the head-end holds, a reading the
/// head-end holds differently is renumbered rather than set aside, and the number of the last acknowledgement acted on
/// survives connections and restarts, so a genuine acknowledgement replayed is refused.
@Suite("Outbox and uplink: the head-end's ledger, renumbering, acknowledgement numbers")
struct HeadEndLedgerTests {
    let scratch: ScratchDirectory
    var path: String { scratch.path("outbox.sqlite") }

    init() throws {
        scratch = try ScratchDirectory("headend-ledger")
    }

    @Test("advance(past:) raises the next id above the head-end's highest once, and records it; an outbox ahead is left alone")
    func advance() async throws {
        let outbox = try Outbox(path: path, limit: 100)
        for _ in 1...3 { try await Readings.take(outbox) }
        let when = Readings.time()
        #expect(try await outbox.advance(past: 20, at: when) == OutboxAdvance(from: 4, to: 21, at: when))
        #expect(try await Readings.take(outbox).transactionID == 21)
        #expect(try await outbox.advance(past: 21) == nil)
        #expect(try await outbox.advance(past: 5) == nil)
        #expect(try await outbox.lastAdvance() == OutboxAdvance(from: 4, to: 21, at: when))
        #expect(try await outbox.unsigned(limit: 10).map(\.transactionID) == [1, 2, 3, 21], "readings taken before stay as they are")
    }

    @Test("renumber moves a signed reading to the next id, unsigned again, its sequence_nr the new id's, its values kept")
    func renumber() async throws {
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        let outbox = try Outbox(path: path, limit: 100)
        let first = try await Readings.take(outbox, at: Readings.time(1))
        try await Readings.sign(first, in: outbox, signer: key)
        _ = try await outbox.advance(past: 70_000)
        try await Readings.take(outbox)

        let moved = try await outbox.renumber(transactionID: 1)
        #expect(moved == 70_002)
        let unsigned = try await outbox.unsigned(limit: 10)
        #expect(unsigned.map(\.transactionID) == [70_001, 70_002])
        let record = try #require(unsigned.last).record()
        #expect(record.sequenceNumber == UInt16(truncatingIfNeeded: 70_002))
        #expect(try record.counterValues == first.record().counterValues && record.measurementTime == first.record().measurementTime)
        #expect(try await outbox.pending(limit: 10).isEmpty, "the old frame is gone with its id")
        let depth = try await outbox.depth()
        #expect(depth.signed == 0 && depth.unsigned == 2)
        try await Readings.signBacklog(outbox, signer: key)
        #expect(try await outbox.pending(limit: 10).map(\.transactionID) == [70_001, 70_002])
        await #expect(throws: OutboxError.alreadyDelivered(1)) { try await outbox.renumber(transactionID: 1) }
    }

    /// A head-end's signing identity, from a software CA, as the head-end signs acknowledgements.
    static func headEnd(_ scratch: ScratchDirectory) async throws -> (AcknowledgementSigner, Certificate, ParsedCRL) {
        let authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: scratch.path("pki")), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Ledger Test Root"),
            validity: try Validity("5y"), url: nil
        )
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        let csr = try await CertificateRequests.make(signer: key, subject: try SubjectName.parse("CN=\(Readings.headEnd)"))
        let certificate = try await authority.issue(csr, profile: .sign, validity: try Validity("1y"))
        let crl = try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: authority.directory.crlPath))))
        return (try AcknowledgementSigner(signer: key, certificate: certificate, originator: Readings.headEnd), authority.certificate, crl)
    }

    @Test("a genuine retry-later acknowledgement replayed on a new connection, or after a restart, is refused")
    func replayedAcknowledgement() async throws {
        let (signer, root, crl) = try await Self.headEnd(scratch)
        let retryLater = Acknowledgement(transactionID: 1, outcome: .refused(try Refusal(reason: .certificate, disposition: .retryLater,
                                                                                          text: "revocation status unavailable")))
        let bytes = try await signer.sign(retryLater, to: Readings.gateway, transactionID: 4242).encoded
        let verifier = AcknowledgementVerifier(validator: CertificateValidator(trustAnchors: [root], crls: [crl]), headEnd: Readings.headEnd,
                                               gateway: Readings.gateway)
        func verify(_ floor: AcknowledgementFloor) async -> AcknowledgementVerification {
            await verifier.verify(frame: bytes, certificate: signer.certificate, sent: [1], after: floor.current)
        }

        let outbox = try Outbox(path: path, limit: 100)
        let floor = AcknowledgementFloor(outbox: outbox, headEnd: Readings.headEnd)
        try await floor.load()
        let first = await verify(floor)
        #expect(first.acknowledgement == retryLater, "\(first.checks.filter { !$0.passed })")
        try await floor.accepted(4242, durably: true)

        // The same loop, a new connection: the floor is the loop's, not the connection's.
        let again = await verify(floor)
        #expect(again.acknowledgement == nil && again.failure?.kind == .sequence)

        // gatewayd restarted: the floor comes from the outbox.
        try outbox.close()
        let reopened = try Outbox(path: path, limit: 100)
        let restarted = AcknowledgementFloor(outbox: reopened, headEnd: Readings.headEnd)
        try await restarted.load()
        let afterRestart = await verify(restarted)
        #expect(afterRestart.acknowledgement == nil && afterRestart.failure?.kind == .sequence)
    }

    @Test("a delivery's number is kept with its commit; a head-end numbering from below (its store replaced) is taken from its ledger answer")
    func floorKeptAndAdopted() async throws {
        let outbox = try Outbox(path: path, limit: 100)
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        let reading = try await Readings.take(outbox)
        try await Readings.sign(reading, in: outbox, signer: key)
        let floor = AcknowledgementFloor(outbox: outbox, headEnd: Readings.headEnd)
        try await floor.load()
        #expect(floor.current == nil)
        try await floor.accepted(900, durably: false)
        #expect(try await outbox.acknowledgementFloor(headEnd: Readings.headEnd) == nil)
        try await outbox.markDelivered(transactionIDs: [reading.transactionID], acknowledgement: floor.pending)
        floor.written()
        #expect(try await outbox.acknowledgementFloor(headEnd: Readings.headEnd) == 900)

        #expect(try await floor.adopt(1000, logger: Logger(label: "test")) == false)
        #expect(floor.current == 1000)
        #expect(try await floor.adopt(12, logger: Logger(label: "test")) == true)
        #expect(floor.current == 12)
        #expect(try await outbox.acknowledgementFloor(headEnd: Readings.headEnd) == 12)
        try await outbox.raiseAcknowledgementFloor(headEnd: Readings.headEnd, to: 5)
        #expect(try await outbox.acknowledgementFloor(headEnd: Readings.headEnd) == 12, "raising never lowers")
    }
}
