import COSEM
import Foundation

/// `gatewayd`'s configuration file as written (YAML, decoded by the executable), before validation. Keys are the
/// file's; `validated()` turns them into `GatewayConfiguration` or fails with one line naming the key and the fix.
/// The file never holds a PIN: a key URI's `pin-source=file:`, or `GATEWAY_PIN`, does.
public struct GatewaySettings: Decodable, Sendable {
    public struct Meter: Decodable, Sendable {
        public init() {}
        public var host: String?
        public var port: Int?
        public var unit: Int?
        /// `builtin` (the PAC3200 map compiled in) or a register map file.
        public var map: String?
        public var poll_interval: String?
        public var response_timeout: String?
        /// The meter's identity in its records; in `meters:`, each meter's own (`meter_number` required when there
        /// are several). Under `meter:`, `identity:` holds them, as before several meters.
        public var meter_ident, meter_number, location: String?
    }

    public struct Identity: Decodable, Sendable {
        public init() {}
        public var system_title: String?
        public var meter_ident: String?
        public var meter_number: String?
        public var location: String?
    }

    public struct Token: Decodable, Sendable {
        public init() {}
        public var module: String?
        public var signing_key: String?
        public var tls_key: String?
        /// The PC/SC reader the card sits in (`gatewayctl token readers` lists them); set it for a smart card.
        public var reader: String?
    }

    public struct Certificates: Decodable, Sendable {
        public init() {}
        /// Files; when absent, the certificates stored on the token with the keys.
        public var signing: String?
        public var tls: String?
        public var trust_anchors: String?
    }

    public struct PKI: Decodable, Sendable {
        public init() {}
        /// pkid's HTTPS URL: EST renewal.
        public var url: String?
        /// pkid's URL for the Central Directory and the CRL (its plain HTTP listener will do).
        public var directory: String?
        public var directory_ttl: String?
        public var crl_refresh: String?
        /// Renew at this fraction of a certificate's lifetime, "70%".
        public var renew_at: String?
    }

    public struct Upstream: Decodable, Sendable {
        public init() {}
        public var host: String?
        public var port: Int?
        public var head_end_system_title: String?
        public var signed_bytes: String?
        public var window: Int?
        public var connect_timeout: String?
        public var handshake_timeout: String?
        public var ack_timeout: String?
    }

    public struct OutboxSettings: Decodable, Sendable {
        public init() {}
        public var path: String?
        public var limit: Int?
        /// The most bytes the outbox file may hold (`Outbox.maxBytes`), as `limit` bounds the count.
        public var max_bytes: Int?
        /// A transaction counter file (`gatewayctl record sign --counter`) to continue from on first start.
        public var counter_file: String?
    }

    public struct Requests: Decodable, Sendable {
        public init() {}
        public struct Allow: Decodable, Sendable {
            public init() {}
            public var requester: String?
            /// OBIS codes, or "*" for every object of the register map.
            public var obis: [String]?
        }
        public var allow: [Allow]?
        public var max_clock_skew: String?
    }

    /// One meter (the form before several meters; still accepted).
    public var meter: Meter?
    /// Several meters, each polled on its own; they share the outbox and its transaction ids.
    public var meters: [Meter]?
    public var identity: Identity?
    public var token: Token?
    public var signing: Signing?
    public var certificates: Certificates?
    public var pki: PKI?
    public var upstream: Upstream?
    public var outbox: OutboxSettings?
    public var requests: Requests?
    public var status_file: String?
    public var metrics: String?
    public var log_level: String?
    public var summary_interval: String?

    public init() {}
}
