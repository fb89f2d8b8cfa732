import Foundation
import Logging
import Metering
import Metrics
import Modbus
import ServiceLifecycle
import Synchronization

/// The first stage: polls one meter every `interval` (a gateway with several meters runs a poller for each), builds the record and makes it durable in the outbox under
/// its transaction id, then rings the signing stage. It never waits for the token or the head-end, so a slow card or
/// a dead uplink does not delay the next poll; a poll that fails is stored all the same (its values marked invalid,
/// the record's error code set), since a gap in the readings is itself something the head-end should see.
///
/// A poll that cannot be stored at all (the outbox full, or its disk) is counted: `gateway_polls_missed_total
/// {reason}`, the status's missed polls with the time the run began, one log line when a run begins and one when it
/// ends. The outbox records the run as a gap, and the first reading stored after it carries the count to the head-end
/// (`CounterValue.missedPolls`). Measurement times strictly increase per meter (`PollBook.measurementTime`).
public struct Poller: Service {
    public let reader: MeterReader
    public let builder: RecordBuilder
    public let outbox: Outbox
    /// Zero polls back to back (benchmarks).
    public let interval: Duration
    let signing: Wakeup
    let timing: TimingBook
    let status: StatusBoard
    let logger: Logger
    /// The meter's number, from its records' identity: what logs, metrics (`meter` label) and the status call it.
    public var meter: String { builder.identity.meterNumber }
    private let refusedReadings: Counter
    private let takenReadings: Counter
    /// Measurement times given and the run of polls not stored, across polls.
    private let book = PollBook()

    public init(reader: MeterReader, builder: RecordBuilder, outbox: Outbox, interval: Duration, signing: Wakeup,
                timing: TimingBook, status: StatusBoard, logger: Logger) {
        self.reader = reader
        self.builder = builder
        self.outbox = outbox
        self.interval = interval
        self.signing = signing
        self.timing = timing
        self.status = status
        var logger = logger
        logger[metadataKey: "meter"] = .string(builder.identity.meterNumber)
        self.logger = logger
        refusedReadings = Counter(label: "gateway_readings_refused_total", dimensions: [("reason", "outbox_full"), ("meter", builder.identity.meterNumber)])
        takenReadings = Counter(label: "gateway_readings_taken_total", dimensions: [("meter", builder.identity.meterNumber)])
    }

    public func run() async throws {
        let clock = ContinuousClock()
        var next = clock.now
        // Graceful shutdown ends the loop between polls; a poll under way finishes (its outbox write is atomic).
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            await pollOnce()
            next = max(next.advanced(by: interval), clock.now)
            let deadline = next
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(until: deadline, clock: clock) }
            } catch {
                return
            }
        }
    }

    /// One poll, stored. Public for tests and `gatewayctl bench chain`.
    public func pollOnce() async {
        let started = ContinuousClock.now
        let snapshot = await reader.poll()
        let modbus = snapshot.requests.compactMap(\.roundTrip).reduce(Duration.zero, +)
        let meter: GatewayStatus.MeterState = snapshot.status.unreachable ? .unreachable : snapshot.status.invalidValue ? .degraded : .reachable
        let previous = status.current.state(ofMeter: self.meter)
        status.update { $0.polled(meter: self.meter, state: meter, at: snapshot.time) }
        if meter == .unreachable, previous != .unreachable {
            let reason = snapshot.requests.compactMap(\.error).first.map { "\($0)" } ?? "no answer"
            logger.error("meter \(self.meter) unreachable: \(reason); its readings are stored with their values marked invalid until it answers")
            status.error("meter \(self.meter) unreachable: \(reason)")
        } else if meter != .unreachable, previous == .unreachable {
            logger.notice("meter \(self.meter) reachable again")
        }
        await store(snapshot, modbus: modbus, polledAt: started)
    }

    private func store(_ snapshot: MeterSnapshot, modbus: Duration, polledAt: ContinuousClock.Instant) async {
        let clock = ContinuousClock()
        let build = Mutex(Duration.zero)
        let builder = builder
        let started = clock.now
        let (measuredAt, clockWentBack) = book.measurementTime(for: snapshot.time)
        if clockWentBack {
            logger.warning("the clock is \(Int(measuredAt.timeIntervalSince(snapshot.time))) s behind the last measurement time (was it set back?); measurement times go on increasing by 10 ms per reading until it catches up")
        }
        var snapshot = snapshot
        snapshot.time = measuredAt
        let timed = snapshot
        do {
            let reading = try await outbox.take(measuredAt: measuredAt, missed: book.unrecorded) { id, missedBefore throws(RecordError) in
                let start = ContinuousClock.now
                defer { build.withLock { $0 = ContinuousClock.now - start } }
                return try builder.record(of: timed, transactionID: id, missedBefore: missedBefore)
            }
            let total = clock.now - started
            let building = build.withLock { $0 }
            timing.update(reading.transactionID) {
                $0.modbus = modbus
                $0.build = building
                $0.outboxCommit = total - building
            }
            timing.polled(reading.transactionID, at: polledAt)
            takenReadings.increment()
            if let ended = book.stored() {
                logger.notice("polls are stored again: \(ended.count) poll\(ended.count == 1 ? "" : "s") since \(ended.since) could not be; reading #\(reading.transactionID) tells the head-end how many")
                status.update {
                    $0.missingPollsSince = nil
                    $0.missedPollsCause = nil
                    $0.outboxFull = false
                }
            } else if status.current.outboxFull {
                status.update { $0.outboxFull = false }
            }
            signing.ring()
        } catch {
            let (reason, recorded, cause) = Self.classify(error)
            missedPolls(reason).increment()
            if case .full = error { refusedReadings.increment() }
            let episode = book.missed(at: measuredAt, cause: cause, recorded: recorded)
            if let episode {
                logger.critical("polls are not being stored: \(cause); each one is counted (gateway_polls_missed_total, gatewayctl status) and the next reading stored tells the head-end how many were missed; one line follows when they are stored again")
                status.error("polls not stored since \(episode.since): \(cause)")
            }
            status.update {
                $0.missedPolls += 1
                if $0.missingPollsSince == nil { $0.missingPollsSince = measuredAt }
                $0.missedPollsCause = cause
                if case .full = error { $0.outboxFull = true }
                if case .tooLarge = error { $0.outboxFull = true }
            }
        }
    }

    /// The metric's reason, whether the outbox recorded the refusal itself, and the line for the log and status.
    static func classify(_ error: OutboxError) -> (reason: String, recorded: Bool, cause: String) {
        switch error {
        case .full: ("outbox_full", true, "\(error)")
        case .tooLarge: ("outbox_size", true, "\(error)")
        case .unwritable: ("unwritable", false, "\(error)")
        default: ("database", false, "\(error)")
        }
    }

    private func missedPolls(_ reason: String) -> Counter {
        Counter(label: "gateway_polls_missed_total", dimensions: [("reason", reason), ("meter", meter)])
    }
}
