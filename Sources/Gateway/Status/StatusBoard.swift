import Foundation
import Logging
import Metrics
import Synchronization

/// The daemon's live `GatewayStatus`: stages report into it, it keeps the gauges current, and `write()` puts it in
/// the status file atomically (a temporary file renamed over the old one), so a reader never sees half a file.
///
/// Writes are ordered: every change numbers the status (`Snapshot.version`), and a write whose status is older than
/// the one the file holds is dropped. Stages write from their own tasks (a state change is written at once, the
/// reporter writes every second), so two writes can race; without the numbers the one that encoded first but renamed
/// last would leave an older status in the file until the next write, e.g. "connected" after the uplink stopped.
public final class StatusBoard: Sendable {
    /// A status and its place in the order of changes.
    struct Snapshot: Sendable {
        var status: GatewayStatus
        var version: UInt64
    }

    public let path: String?
    private let status: Mutex<Snapshot>
    /// The version the status file holds: renames happen under this lock, never for an older one.
    private let fileVersion = Mutex<UInt64>(0)
    private let uplinkGauge = Gauge(label: "gateway_uplink_connected")
    private let tokenGauge = Gauge(label: "gateway_token_ready")
    private let unsignedGauge = Gauge(label: "gateway_outbox_readings", dimensions: [("state", "unsigned")])
    private let signedGauge = Gauge(label: "gateway_outbox_readings", dimensions: [("state", "signed")])
    private let fullGauge = Gauge(label: "gateway_outbox_full")
    private let cardGauge = Gauge(label: "gateway_card_present")
    private let missingGauge = Gauge(label: "gateway_polls_missing")
    private let staleGauge = Gauge(label: "gateway_status_file_stale")

    private let logger: Logger
    /// Since when writing the status file fails, for one log line per episode instead of one a second.
    private let failingSince = Mutex<Date?>(nil)
    /// Told of every write of the status file and its outcome (tests wait for a write instead of a deadline).
    private let written: @Sendable (GatewayStatus, (any Error)?) -> Void

    public init(path: String?, startedAt: Date = Date(), logger: Logger = Logger(label: "gateway-status"),
                written: @escaping @Sendable (GatewayStatus, (any Error)?) -> Void = { _, _ in }) {
        self.path = path
        self.logger = logger
        self.written = written
        status = Mutex(Snapshot(status: GatewayStatus(pid: ProcessInfo.processInfo.processIdentifier, startedAt: startedAt), version: 0))
    }

    public var current: GatewayStatus { snapshot.status }
    var snapshot: Snapshot { status.withLock { $0 } }

    /// Changes the status and the gauges that follow from it. A change of state (meter, token, uplink, outbox full)
    /// is written to the status file at once, so `gatewayctl status` never lags behind what the log says.
    public func update(_ change: (inout GatewayStatus) -> Void) {
        let (before, snapshot) = status.withLock { snapshot in
            let before = snapshot.status
            change(&snapshot.status)
            snapshot.status.updatedAt = Date()
            snapshot.version += 1
            return (before, snapshot)
        }
        let now = snapshot.status
        if before.uplink != now.uplink || before.meters.map(\.state) != now.meters.map(\.state) || before.meter != now.meter || before.token != now.token || before.outboxFull != now.outboxFull
            || before.cardPresent != now.cardPresent || before.tokenReason != now.tokenReason
            || before.missingPollsSince != now.missingPollsSince {
            write(snapshot)
        }
        uplinkGauge.record(now.uplink == .connected ? 1 : 0)
        tokenGauge.record(now.token == .ready ? 1 : 0)
        for meter in now.meters {
            Gauge(label: "gateway_meter_reachable", dimensions: [("meter", meter.number)]).record(meter.state == .reachable || meter.state == .degraded ? 1 : 0)
        }
        unsignedGauge.record(now.outboxUnsigned)
        signedGauge.record(now.outboxSigned)
        fullGauge.record(now.outboxFull ? 1 : 0)
        missingGauge.record(now.missingPollsSince == nil ? 0 : 1)
        if let present = now.cardPresent { cardGauge.record(present ? 1 : 0) }
    }

    /// Records an error a user can act on, as the last error.
    public func error(_ text: String) {
        update {
            $0.lastError = text
            $0.lastErrorAt = Date()
        }
    }

    /// Writes the status file; a failure is logged, never fatal (the daemon's job is the readings).
    public func write() {
        write(snapshot)
    }

    /// A failed write removes its temporary file (a full disk would otherwise collect one a second) and leaves the
    /// last complete file in place: `gatewayctl status` then sees it age while the process lives, and says the file
    /// is stale rather than the daemon stopped. The failure is logged when it starts and when it ends.
    func write(_ snapshot: Snapshot) {
        guard let path else { return }
        let status = snapshot.status
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // A name of this write's own: two writers (the reporter and a state change) never share a temporary file.
        let temporary = path + ".\(UUID().uuidString.prefix(8)).tmp"
        do {
            let data = try encoder.encode(status)
            try data.write(to: URL(fileURLWithPath: temporary))
            let renamed = try fileVersion.withLock { version throws(StatusFileError) -> Bool in
                // Equal is the same status written again (the reporter's refresh that changed nothing): kept fresh.
                guard snapshot.version >= version else { return false }
                guard rename(temporary, path) == 0 else {
                    throw StatusFileError(reason: "cannot rename it into place: \(String(cString: strerror(errno)))")
                }
                version = snapshot.version
                return true
            }
            guard renamed else {
                unlink(temporary)
                return
            }
        } catch {
            unlink(temporary)
            staleGauge.record(1)
            let first = failingSince.withLock { since in
                defer { if since == nil { since = Date() } }
                return since == nil
            }
            if first {
                logger.error("cannot write the status file \(path): \(error); gatewayctl status shows it as stale until a write succeeds (free disk space or fix its permissions)")
            }
            written(status, error)
            return
        }
        staleGauge.record(0)
        if let since = failingSince.withLock({ since in defer { since = nil }; return since }) {
            logger.notice("the status file \(path) is written again (it could not be since \(since))")
        }
        written(status, nil)
    }

    /// Reads a status file `write` made.
    public static func read(path: String) throws -> GatewayStatus {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(GatewayStatus.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// Why the status file could not be put in place.
struct StatusFileError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
