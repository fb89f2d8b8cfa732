import Logging
import ServiceLifecycle

/// Writes the status file every `interval` (and once more on the way out, saying "stopped"), and logs the timing
/// summary every `summaryInterval`: the daemon's periodic voice.
public struct StatusReporter: Service {
    let status: StatusBoard
    let timing: TimingBook
    let outbox: Outbox
    let interval: Duration
    let summaryInterval: Duration
    let logger: Logger

    public init(status: StatusBoard, timing: TimingBook, outbox: Outbox, interval: Duration = .seconds(1),
                summaryInterval: Duration, logger: Logger) {
        self.status = status
        self.timing = timing
        self.outbox = outbox
        self.interval = interval
        self.summaryInterval = summaryInterval
        self.logger = logger
    }

    public func run() async throws {
        let clock = ContinuousClock()
        var nextSummary = clock.now.advanced(by: summaryInterval)
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            await refresh()
            status.write()
            if clock.now >= nextSummary {
                nextSummary = clock.now.advanced(by: summaryInterval)
                let current = status.current
                logger.info("last \(summaryInterval): \(timing.summary()); outbox \(current.outboxUnsigned) unsigned + \(current.outboxSigned) signed, uplink \(current.uplink.rawValue), meter \(current.meter.rawValue)")
            }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { break }
        }
        await refresh()
        status.update { $0.uplink = .stopped }
        status.write()
    }

    /// The outbox's figures into the status: the one place they are read, so the file and the gauges agree. "None
    /// delivered yet" is a figure too (nil), not a reason to skip the refresh.
    private func refresh() async {
        let depth: OutboxDepth, delivered: UInt64?, taken: UInt64?
        do {
            (depth, delivered, taken) = (try await outbox.depth(), try await outbox.lastDelivered(), try await outbox.lastTaken())
        } catch {
            logger.warning("cannot read the outbox for the status: \(error)")
            return
        }
        status.update {
            $0.outboxUnsigned = depth.unsigned
            $0.outboxSigned = depth.signed
            $0.outboxLimit = depth.limit
            $0.lastDelivered = delivered
            $0.lastTaken = taken
        }
    }
}
