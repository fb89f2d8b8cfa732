import COSEM
import Foundation
import Metering
import PKI
import Signing

/// `gatewayctl bench verify`: how fast the head-end verifies a record, per algorithm, on one thread, next to
/// `openssl speed` measured in the same run. Goal: the head-end's verifications per core at least 0.6 of openssl's
/// verify rate for P-256.
///
/// Each algorithm gets two loops over frames signed here with a software key under a scratch CA: the full check
/// (`RecordVerifier` on the head-end's path: certificate_info decoded to find the signer's certificate, which a
/// `FixedCertificateSource` stands in for the head-end's directory cache; then originator, signature, certificate
/// chain and CRL, content; the chain cached as the head-end caches it) and the bare signature check over the signed
/// bytes, which is what openssl's figure compares with. For P-256 a third loop verifies the frames of batches with a shared `VerifiedBatchRoots`.
public struct VerifyBench: Sendable {
    public var algorithms: [KeyAlgorithm]
    public var duration: Duration
    /// Distinct frames each loop cycles through.
    public var frames: Int
    /// Frames per batch signature in the batch row.
    public var batchSize: Int
    public var openssl: OpenSSLSpeed

    public static let compared: [KeyAlgorithm] = [.ecdsa(.p256), .ecdsa(.p384), .rsa(bits: 2048)]

    public init(algorithms: [KeyAlgorithm] = compared, seconds: Double, frames: Int = 100, batchSize: Int = 64, openssl: String = "openssl") throws {
        guard seconds > 0, frames > 0, batchSize > 1 else { throw BenchError("--seconds, --frames must be positive and --batch at least 2") }
        if let other = algorithms.first(where: { OpenSSLSpeed.name(of: $0) == nil }) {
            throw BenchError("\(other.name) has no openssl speed counterpart here; choose among \(Self.compared.map(\.name).joined(separator: ", "))")
        }
        self.algorithms = algorithms
        self.duration = .milliseconds(Int(seconds * 1000))
        self.frames = frames
        self.batchSize = batchSize
        // openssl speed counts whole seconds.
        self.openssl = OpenSSLSpeed(executable: openssl, seconds: Int(seconds.rounded(.up)))
    }

    public func run() async throws -> VerifyReport {
        // First, so that a missing or unreadable openssl fails before the loops, and the loops do not share the core.
        let reference = try await openssl.verifyRates(algorithms)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("verify-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let fixture = try await VerifyFixture(directory: scratch)
        var rows: [VerifyReport.Row] = []
        for algorithm in algorithms {
            let signer = try await fixture.signer(algorithm)
            let frames = try await fixture.frames(frames, signer: signer)
            let verifier = RecordVerifier(validator: fixture.validator)
            let encoded = frames.map(\.encoded)
            let directory = FixedCertificateSource(signer.certificate)
            let full = try await Sampling.cycling(encoded.count, duration: duration) { index in
                try await Self.check(verifier.verify(frame: encoded[index], certificates: directory))
            }
            // The key as the head-end holds it: read from the certificate (`KnownSigners`), not the signer's own object.
            let key = try PublicKey(subjectPublicKeyInfo: try derBytes(signer.certificate.publicKey))
            let signed = frames.map { (Signature(scheme: SignedRecord.scheme(for: algorithm), bytes: $0.signature), $0.signedBytes(.a)) }
            let bare = try await Sampling.cycling(signed.count, duration: duration) { index in
                guard key.isValidSignature(signed[index].0, for: signed[index].1) else { throw BenchError("a signature made here did not verify") }
            }
            rows.append(.init(algorithm: algorithm, check: .full, latencies: full))
            rows.append(.init(algorithm: algorithm, check: .signature, latencies: bare))
            if algorithm == .ecdsa(.p256) {
                rows.append(.init(algorithm: algorithm, check: .batch(batchSize), latencies: try await batchLoop(fixture, signer)))
            }
        }
        return VerifyReport(rows: rows, openssl: reference, seconds: duration.seconds)
    }

    /// Frames of one batch verified in turn, the root's signature checked once per pass as a head-end checks it
    /// once per batch: each pass starts with a fresh `VerifiedBatchRoots`.
    private func batchLoop(_ fixture: VerifyFixture, _ signer: RecordSigner) async throws -> LatencySummary {
        let batch = try await fixture.batch(batchSize, signer: signer)
        var verifier = RecordVerifier(validator: fixture.validator)
        let directory = FixedCertificateSource(signer.certificate)
        return try await Sampling.cycling(batch.count, duration: duration) { index in
            if index == 0 { verifier.batchRoots = VerifiedBatchRoots() }
            try await Self.check(verifier.verify(frame: batch[index], certificates: directory))
        }
    }

    private static func check(_ verification: RecordVerification) throws {
        if let failure = verification.failure {
            throw BenchError("a frame signed here failed its \(failure.name) check: \(failure.detail)")
        }
    }
}
