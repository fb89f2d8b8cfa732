import Foundation
import Logging
import Metrics
import Synchronization

/// The daemon's live `GatewayStatus`: stages report into it, it keeps the gauges current, and `write()` puts it in
/// the status file atomically (a temporary file renamed over the old one), so a reader never sees half a file.
public final class StatusBoard: Sendable {
    public let path: String?
    private let status: Mutex<GatewayStatus>
    private let uplinkGauge = Gauge(label: "gateway_uplink_connected")
    private let tokenGauge = Gauge(label: "gateway_token_ready")
    private let meterGauge = Gauge(label: "gateway_meter_reachable")
    private let unsignedGauge = Gauge(label: "gateway_outbox_readings", dimensions: [("state", "unsigned")])
    private let signedGauge = Gauge(label: "gateway_outbox_readings", dimensions: [("state", "signed")])
    private let fullGauge = Gauge(label: "gateway_outbox_full")

    public init(path: String?, startedAt: Date = Date()) {
        self.path = path
        status = Mutex(GatewayStatus(pid: ProcessInfo.processInfo.processIdentifier, startedAt: startedAt))
    }

    public var current: GatewayStatus { status.withLock { $0 } }

    /// Changes the status and the gauges that follow from it.
    public func update(_ change: (inout GatewayStatus) -> Void) {
        let now = status.withLock { status in
            change(&status)
            status.updatedAt = Date()
            return status
        }
        uplinkGauge.record(now.uplink == .connected ? 1 : 0)
        tokenGauge.record(now.token == .ready ? 1 : 0)
        meterGauge.record(now.meter == .reachable || now.meter == .degraded ? 1 : 0)
        unsignedGauge.record(now.outboxUnsigned)
        signedGauge.record(now.outboxSigned)
        fullGauge.record(now.outboxFull ? 1 : 0)
    }

    /// Records an error a user can act on, as the last error.
    public func error(_ text: String) {
        update {
            $0.lastError = text
            $0.lastErrorAt = Date()
        }
    }

    /// Writes the status file; a failure is logged, never fatal (the daemon's job is the readings).
    public func write(logger: Logger) {
        guard let path else { return }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            let data = try encoder.encode(current)
            let temporary = path + ".tmp"
            try data.write(to: URL(fileURLWithPath: temporary))
            _ = rename(temporary, path)
        } catch {
            logger.warning("cannot write the status file", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }

    /// Reads a status file `write` made.
    public static func read(path: String) throws -> GatewayStatus {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(GatewayStatus.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
