import Metrics
import Metering

/// The head-end's counts, through swift-metrics (Prometheus text at the daemon's `/metrics`):
///
/// - `headend_readings_stored_total`, `headend_duplicates_total`
/// - `headend_gaps_total` (jumps in a gateway's ids) and `headend_missing_transactions_total` (the ids skipped)
/// - `headend_refusals_total{reason, disposition}`: every refusal, kept or not
/// - `headend_conflicts_total`: frames under an id already stored with other bytes (also among the refusals)
/// - `headend_ledger_queries_total{answered}`: gateways' ledger queries, answered with the ledger or refused
/// - `headend_verification_seconds`: how long verifying a frame took (a Timer; Prometheus renders a histogram)
/// - `headend_connected_gateways`: connections past the TLS handshake
/// - `headend_tls_refusals_total{reason}`: handshakes refused by the client-certificate check
/// - `headend_frame_timeouts_total`: connections closed because a frame did not arrive whole in time
enum HeadEndMetrics {
    static let stored = Counter(label: "headend_readings_stored_total")
    static let duplicates = Counter(label: "headend_duplicates_total")
    static let gaps = Counter(label: "headend_gaps_total")
    static let missing = Counter(label: "headend_missing_transactions_total")
    static let conflicts = Counter(label: "headend_conflicts_total")
    static let verification = Timer(label: "headend_verification_seconds")
    static let connected = Meter(label: "headend_connected_gateways")
    static let frameTimeouts = Counter(label: "headend_frame_timeouts_total")

    static func refused(_ refusal: Refusal) {
        Counter(label: "headend_refusals_total", dimensions: [
            ("reason", refusal.reason.description), ("disposition", refusal.disposition == .final ? "final" : "retry_later"),
        ]).increment()
    }

    static func ledgerQueries(answered: Bool) {
        Counter(label: "headend_ledger_queries_total", dimensions: [("answered", answered ? "yes" : "no")]).increment()
    }

    static func tlsRefused(_ reason: String) {
        Counter(label: "headend_tls_refusals_total", dimensions: [("reason", reason)]).increment()
    }
}
