import Foundation

/// What `gatewayd` reports about itself: the answers to an operator's first questions, written to the status file
/// (JSON) that `gatewayctl status` reads, and mirrored as gauges. Nothing in it is secret: no PIN, no key, no frame.
public struct GatewayStatus: Codable, Sendable, Hashable {
    public enum UplinkState: String, Codable, Sendable {
        case starting, connecting, connected, disconnected
        /// Connected, but the head-end asked to send again later (it could not check revocation or store).
        case holding
        case stopped
    }

    public enum TokenState: String, Codable, Sendable {
        case ready
        /// The last signature failed; readings wait unsigned in the outbox.
        case failing
    }

    public enum MeterState: String, Codable, Sendable {
        case unknown, reachable, unreachable
        /// Answered, but some values were unreadable (timeouts, exceptions).
        case degraded
    }

    public var pid: Int32
    public var startedAt: Date
    public var updatedAt: Date
    public var meter: MeterState = .unknown
    public var lastPollAt: Date?
    public var token: TokenState = .ready
    public var uplink: UplinkState = .starting
    public var lastTaken: UInt64?
    public var lastDelivered: UInt64?
    public var outboxUnsigned = 0
    public var outboxSigned = 0
    public var outboxLimit = 0
    public var outboxFull = false
    public var signingCertificateExpires: Date?
    public var tlsCertificateExpires: Date?
    public var lastError: String?
    public var lastErrorAt: Date?

    public init(pid: Int32, startedAt: Date) {
        self.pid = pid
        self.startedAt = startedAt
        self.updatedAt = startedAt
    }
}
