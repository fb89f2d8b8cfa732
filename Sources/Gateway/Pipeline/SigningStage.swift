import Foundation
import Logging
import Metering
import Metrics
import ServiceLifecycle
import Signing

/// The second stage: signs the outbox's unsigned readings on the token, oldest first, and stores each frame in the
/// outbox before ringing the uplink. It runs on the token's own thread (`tokenThread`, the daemon passes
/// `Token.withTokenThread`), so a signature costs no thread hop; while the token fails (removed, logged out, its
/// key gone), the readings wait durably, the poller goes on, and the stage tries again with a growing pause. While
/// the `gate` is closed (the card is out of its reader, or a blocked PIN or a different card stopped it) it does not
/// try at all: it waits for the gate, and a failure only a person can fix closes the gate itself.
public struct SigningStage: Service {
    /// Runs a body on the token's thread: `{ body in try await token.withTokenThread(body) }`, or inline.
    public typealias TokenThread = @Sendable (_ body: @Sendable () async throws -> Void) async throws -> Void

    public let outbox: Outbox
    public let credentials: GatewayCredentials
    let tokenThread: TokenThread
    let wake: Wakeup
    /// Called after each frame is stored: the uplink's `wake()`.
    let signed: @Sendable () -> Void
    let timing: TimingBook
    let status: StatusBoard
    let logger: Logger
    /// Readings signed per visit to the token thread.
    let batch: Int
    /// One signature for many readings (a Merkle tree, `signing.batch`); nil: a signature each.
    let batchSigning: BatchSigningSettings?
    let gate: TokenGate
    private let failures = Counter(label: "gateway_signing_failures_total")

    public init(outbox: Outbox, credentials: GatewayCredentials, tokenThread: @escaping TokenThread = { try await $0() },
                wake: Wakeup, signed: @escaping @Sendable () -> Void, timing: TimingBook, status: StatusBoard, logger: Logger, batch: Int = 32, gate: TokenGate = TokenGate(),
                batchSigning: BatchSigningSettings? = nil) {
        self.outbox = outbox
        self.credentials = credentials
        self.tokenThread = tokenThread
        self.wake = wake
        self.signed = signed
        self.timing = timing
        self.status = status
        self.logger = logger
        self.batch = batch
        self.gate = gate
        self.batchSigning = batchSigning
    }

    public func run() async throws {
        wake.ring()  // the backlog a restart left
        // A graceful shutdown ends the rings, not the work: what the poller stored before it stopped is signed first
        // (the poller stops before this stage), so the uplink can still deliver it while it drains.
        await withGracefulShutdownHandler {
            var failuresInARow = 0
            for await _ in wake.rings {
                while !Task.isCancelled {
                    if !gate.state.isOpen {
                        // A shutdown ends the wait: what is unsigned stays in the outbox for the next start.
                        await cancelWhenGracefulShutdown { await gate.waitUntilOpen() }
                        if Task.isCancelled || Task.isShuttingDownGracefully { return }
                    }
                    do {
                        guard try await signBatch() else { break }
                        if failuresInARow > 0 {
                            logger.notice("signing works again; the backlog is being signed in order")
                            status.update {
                                $0.token = .ready
                                $0.tokenReason = nil
                            }
                            failuresInARow = 0
                        }
                    } catch {
                        if Task.isCancelled { return }
                        failuresInARow += 1
                        failures.increment()
                        if SignerFailureKind(of: error) == .operatorNeeded {
                            // Another try cannot help and might harm: wait for a person (a card inserted again opens
                            // the gate after its keys are checked).
                            logger.critical("signing stopped: \(error); readings wait unsigned in the outbox, polling goes on")
                            status.update {
                                $0.token = .stopped
                                $0.tokenReason = "\(error)"
                            }
                            status.error("signing stopped: \(error)")
                            gate.set(.stopped(reason: "\(error)"))
                            continue
                        }
                        if !gate.state.isOpen { continue }  // the card went while signing; its watcher has said so
                        if failuresInARow == 1 {
                            logger.error("signing failed: \(error); readings wait unsigned in the outbox, polling goes on")
                        }
                        status.update { $0.token = .failing }
                        status.error("signing failed: \(error)")
                        let pause = Duration.milliseconds(min(30_000, 250 << min(failuresInARow, 7)))
                        if Task.isShuttingDownGracefully { return }
                        do { try await Task.sleep(for: pause) } catch { return }
                    }
                }
            }
        } onGracefulShutdown: { [wake] in
            wake.finish()
        }
    }

    /// Signs up to `batch` readings (`maxFrames` under one signature when batch signing is on); false when there was
    /// nothing to sign.
    func signBatch() async throws -> Bool {
        var readings = try await outbox.unsigned(limit: batchSigning?.maxFrames ?? batch)
        guard let first = readings.first else { return false }
        if let batchSigning, readings.count < batchSigning.maxFrames {
            // The first reading waits at most `maxWait` (from when it was measured) for others to share its signature;
            // the readings taken meanwhile are durable in the outbox. A shutdown signs what is there at once.
            let waited = Duration.seconds(max(0, Date().timeIntervalSince(first.measuredAt)))
            let rest = min(batchSigning.maxWait, max(.zero, batchSigning.maxWait - waited))
            if rest > .zero {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: rest) }
                readings = try await outbox.unsigned(limit: batchSigning.maxFrames)
            }
        }
        let (outbox, credentials, timing, signed, batched, toSign) = (outbox, credentials, timing, signed, batchSigning != nil, readings)
        try await tokenThread {
            var frames: [(transactionID: UInt64, frame: [UInt8])] = []
            var made: [TimedFrame] = []
            if batched {
                made = try await credentials.recordSigner.sign(batch: toSign.map { ($0.dataNotification, $0.transactionID) })
            } else {
                for reading in toSign {
                    made.append(try await credentials.recordSigner.sign(dataNotification: reading.dataNotification, transactionID: reading.transactionID))
                }
            }
            for (reading, frame) in zip(toSign, made) {
                frames.append((reading.transactionID, frame.bytes))
                timing.update(reading.transactionID) {
                    $0.encode = frame.encode
                    $0.signature = frame.signature
                }
            }
            // One commit for the batch: a reading signed but not yet stored is only signed again after a crash (a
            // batch signature, with fresh blinders: no frame of a batch is stored without the others).
            let clock = ContinuousClock()
            let started = clock.now
            try await outbox.attachSignatures(frames)
            let share = (clock.now - started) / frames.count
            for (id, _) in frames { timing.update(id) { $0.signatureCommit = share } }
            signed()
        }
        return true
    }
}
