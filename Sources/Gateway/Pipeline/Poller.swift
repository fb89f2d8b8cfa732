import Foundation
import Logging
import Metering
import Metrics
import Modbus
import ServiceLifecycle
import Synchronization

/// The first stage: polls the meter every `interval`, builds the record and makes it durable in the outbox under
/// its transaction id, then rings the signing stage. It never waits for the token or the head-end, so a slow card or
/// a dead uplink does not delay the next poll; a poll that fails is stored all the same (its values marked invalid,
/// the record's error code set), since a gap in the readings is itself something the head-end should see.
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
    private let refusedReadings = Counter(label: "gateway_readings_refused_total", dimensions: [("reason", "outbox_full")])
    private let takenReadings = Counter(label: "gateway_readings_taken_total")

    public init(reader: MeterReader, builder: RecordBuilder, outbox: Outbox, interval: Duration, signing: Wakeup,
                timing: TimingBook, status: StatusBoard, logger: Logger) {
        self.reader = reader
        self.builder = builder
        self.outbox = outbox
        self.interval = interval
        self.signing = signing
        self.timing = timing
        self.status = status
        self.logger = logger
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
        let previous = status.current.meter
        status.update {
            $0.meter = meter
            $0.lastPollAt = snapshot.time
        }
        if meter == .unreachable, previous != .unreachable {
            let reason = snapshot.requests.compactMap(\.error).first.map { "\($0)" } ?? "no answer"
            logger.error("meter unreachable: \(reason); readings are stored with their values marked invalid until it answers")
            status.error("meter unreachable: \(reason)")
        } else if meter != .unreachable, previous == .unreachable {
            logger.notice("meter reachable again")
        }
        await store(snapshot, modbus: modbus, polledAt: started)
    }

    private func store(_ snapshot: MeterSnapshot, modbus: Duration, polledAt: ContinuousClock.Instant) async {
        let clock = ContinuousClock()
        let build = Mutex(Duration.zero)
        let builder = builder
        let started = clock.now
        do {
            let reading = try await outbox.take(measuredAt: snapshot.time) { id throws(RecordError) in
                let start = ContinuousClock.now
                defer { build.withLock { $0 = ContinuousClock.now - start } }
                return try builder.record(of: snapshot, transactionID: id)
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
            if status.current.outboxFull { status.update { $0.outboxFull = false } }
            signing.ring()
        } catch {
            if case .full(let depth, let limit) = error {
                refusedReadings.increment()
                if !status.current.outboxFull {
                    logger.critical("outbox full: it holds \(depth) of \(limit) readings and refuses new ones (each refusal is counted in the outbox's gaps); nothing held is dropped. Bring the head-end back or raise outbox.limit")
                }
                status.update { $0.outboxFull = true }
                status.error("outbox full (\(depth) of \(limit) readings): new readings are refused and counted; check the uplink")
            } else {
                logger.error("reading not stored: \(error)")
                status.error("reading not stored: \(error)")
            }
        }
    }
}
