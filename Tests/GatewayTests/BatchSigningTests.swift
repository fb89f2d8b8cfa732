import COSEM
import Foundation
@testable import Gateway
import Metering
import PKI
import Signing
import Testing
import TestSupport

/// Batch signatures at the gateway (`signing.batch`): the signing stage gives the readings waiting in the outbox one
/// token signature, and every frame it stores verifies alone, as the head-end and `gatewayctl verify` check it.
@Suite("Batch signatures at the gateway")
struct BatchSigningTests {
    /// A receiver's verifier, with the CA's CRL: `roots` as a head-end shares it across frames, or none (offline).
    func verifier(_ fixture: PipelineFixture, roots: VerifiedBatchRoots? = nil) throws -> RecordVerifier {
        let crl = try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: fixture.authority.directory.crlPath))))
        return RecordVerifier(validator: CertificateValidator(trustAnchors: [fixture.authority.certificate], crls: [crl]), batchRoots: roots)
    }

    @Test("the readings waiting share one token signature and each frame verifies alone; a reading alone is signed as without batching")
    func waitingReadingsShareOneSignature() async throws {
        let fixture = try await PipelineFixture()
        let signer = HeldSigner(try SoftwareSigner(generating: .ecdsa(.p256)))
        let credentials = try await fixture.credentials(signer: signer)
        let poller = fixture.poller(interval: .seconds(3600), signing: Wakeup())
        for _ in 0..<7 { await poller.pollOnce() }
        // Counting from here; hold() closes the token, release() opens it again without a signature waiting.
        signer.hold()
        signer.release()
        let stage = SigningStage(outbox: fixture.outbox, credentials: credentials, wake: Wakeup(), signed: {}, timing: fixture.timing,
                                 status: fixture.status, logger: fixture.logger, batchSigning: BatchSigningSettings(maxFrames: 64, maxWait: .zero))
        #expect(try await stage.signBatch())
        #expect(signer.signaturesStarted == 1)

        let frames = try await fixture.outbox.pending(limit: 100)
        #expect(frames.map(\.transactionID) == Array(1...7))
        let roots = VerifiedBatchRoots()
        let receiver = try verifier(fixture, roots: roots)
        for (index, frame) in frames.enumerated() {
            let result = await receiver.verify(frame: frame.frame, certificate: credentials.recordSigner.certificate)
            #expect(result.passed, "\(result.failure.map { "\($0)" } ?? "")")
            let detail = result.checks.first { $0.kind == .signature }?.detail ?? ""
            #expect(detail.contains("leaf \(index + 1) of 7"), "\(detail)")
            #expect(detail.hasSuffix("(root verified before)") == (index > 0), "\(detail)")
        }
        #expect(roots.count == 1)
        // Offline, with no cache: each frame is checked in full, and alone.
        let alone = try verifier(fixture)
        #expect(await alone.verify(frame: frames[3].frame, certificate: credentials.recordSigner.certificate).passed)

        await poller.pollOnce()
        #expect(try await stage.signBatch())
        #expect(signer.signaturesStarted == 2)
        let single = try #require(try await fixture.outbox.pending(after: 7, limit: 10).first)
        let frame = try GeneralSigning(decoding: single.frame)
        #expect(frame.signature.count == 64, "a batch of one is a plain raw P-256 signature")
        let result = await alone.verify(frame: single.frame, certificate: credentials.recordSigner.certificate)
        #expect(result.passed && result.checks.first { $0.kind == .signature }?.detail.contains("batch") == false)
    }

    @Test("a frame of a batch whose content was changed is refused, even after its root was verified for the others")
    func changedFrameOfAVerifiedBatch() async throws {
        let fixture = try await PipelineFixture()
        let signer = try SoftwareSigner(generating: .ecdsa(.p256))
        let credentials = try await fixture.credentials(signer: signer)
        let poller = fixture.poller(interval: .seconds(3600), signing: Wakeup())
        for _ in 0..<3 { await poller.pollOnce() }
        let stage = SigningStage(outbox: fixture.outbox, credentials: credentials, wake: Wakeup(), signed: {}, timing: fixture.timing,
                                 status: fixture.status, logger: fixture.logger, batchSigning: BatchSigningSettings(maxFrames: 64, maxWait: .zero))
        #expect(try await stage.signBatch())
        let frames = try await fixture.outbox.pending(limit: 10)
        let receiver = try verifier(fixture, roots: VerifiedBatchRoots())
        #expect(await receiver.verify(frame: frames[0].frame, certificate: credentials.recordSigner.certificate).passed)

        var changed = try GeneralSigning(decoding: frames[1].frame)
        changed.content[changed.content.count - 1] ^= 0x01
        let result = await receiver.verify(frame: changed.encoded, certificate: credentials.recordSigner.certificate)
        #expect(result.failure?.kind == .signature, "\(result.checks)")
        #expect(result.failure?.detail.contains("the batch signature does not verify (leaf 2 of 3") == true, "\(result.failure?.detail ?? "")")
    }
}
