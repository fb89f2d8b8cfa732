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
        /// The card is out of its reader: nothing is signed, readings wait unsigned in the outbox.
        case cardRemoved = "card removed"
        /// Signing stopped until a person acts (`tokenReason` says what): a blocked PIN, a different card.
        case stopped
    }

    public enum MeterState: String, Codable, Sendable {
        case unknown, reachable, unreachable
        /// Answered, but some values were unreadable (timeouts, exceptions).
        case degraded
    }

    /// One meter's last poll.
    public struct MeterReport: Codable, Sendable, Hashable {
        /// The meter's number, as its records carry it.
        public var number: String
        /// `host:port unit N`.
        public var address: String
        public var state: MeterState = .unknown
        public var lastPollAt: Date?

        public init(number: String, address: String) {
            self.number = number
            self.address = address
        }
    }

    public var pid: Int32
    public var startedAt: Date
    public var updatedAt: Date
    /// The meters taken together: unreachable or degraded when one is, so a glance (and the gauge) shows trouble;
    /// `meters` says which.
    public var meter: MeterState = .unknown
    /// The latest poll of any meter.
    public var lastPollAt: Date?
    /// Each meter, in the configuration's order.
    public var meters: [MeterReport] = []
    public var token: TokenState = .ready
    /// Why the token is not ready, in one line with the fix, when it is `stopped` or `cardRemoved`.
    public var tokenReason: String?
    /// The card reader gatewayd watches (`token.reader`), and whether a card is in it; nil without a reader.
    public var reader: String?
    public var cardPresent: Bool?
    public var uplink: UplinkState = .starting
    public var lastTaken: UInt64?
    public var lastDelivered: UInt64?
    public var outboxUnsigned = 0
    public var outboxSigned = 0
    public var outboxLimit = 0
    public var outboxFull = false
    /// Polls that could not be stored since gatewayd started (outbox full, disk full, database failing).
    public var missedPolls: UInt64 = 0
    /// When the current run of polls not stored began; nil while polls are stored.
    public var missingPollsSince: Date?
    /// Why the current run's last poll was not stored, in one line with the fix.
    public var missedPollsCause: String?
    public var signingCertificateExpires: Date?
    public var tlsCertificateExpires: Date?
    public var lastError: String?
    public var lastErrorAt: Date?

    public init(pid: Int32, startedAt: Date) {
        self.pid = pid
        self.startedAt = startedAt
        self.updatedAt = startedAt
    }

    /// Records a poll of the meter numbered `number`, and the state of all meters taken together.
    public mutating func polled(meter number: String, state: MeterState, at time: Date) {
        if let index = meters.firstIndex(where: { $0.number == number }) {
            meters[index].state = state
            meters[index].lastPollAt = time
        }
        let states = meters.map(\.state)
        meter = states.contains(.unreachable) ? .unreachable : states.contains(.degraded) ? .degraded
            : states.contains(.reachable) ? .reachable : state
        lastPollAt = max(lastPollAt ?? time, time)
    }

    /// The state of the meter numbered `number`, `.unknown` before its first poll.
    public func state(ofMeter number: String) -> MeterState {
        meters.first { $0.number == number }?.state ?? .unknown
    }
}
