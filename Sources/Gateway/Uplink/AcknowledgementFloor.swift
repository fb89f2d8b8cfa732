import COSEM
import Foundation
import Logging

/// The number of the last acknowledgement from the head-end that the gateway acted on: an acknowledgement must carry
/// a higher one (`AcknowledgementVerifier`'s `sequence` check), on every connection and after a restart too, so a
/// genuine acknowledgement sent again (a retry-later refusal replayed on a new connection) is refused. TLS alone does
/// not keep a replay out: the bytes are signed, not bound to a connection.
///
/// Kept in the outbox (`Outbox.acknowledgementFloor(headEnd:)`), read once when the uplink starts. An acknowledgement
/// that only delivers is recorded with the delivery's own commit (`pending`, written by `Outbox.markDelivered`); a
/// crash before that commit sends those readings again, and their acknowledgements, replayed, would only say what is
/// true. One whose meaning is not a delivery (retry-later, a final refusal) is recorded before it is acted on.
///
/// A head-end whose store was replaced numbers from low again: its answer to the gateway's own `LedgerQuery` on this
/// connection (fresh, so not a replay) carries its current number, and `adopt` takes it, lower or not.
final class AcknowledgementFloor {
    let outbox: Outbox
    let headEnd: SystemTitle
    /// The floor now; nil before the first acknowledgement from this head-end was ever acted on.
    private(set) var current: UInt64?
    /// The floor not yet written to the outbox (written with the next delivery commit).
    private(set) var unwritten: UInt64?
    private var loaded = false

    init(outbox: Outbox, headEnd: SystemTitle) {
        self.outbox = outbox
        self.headEnd = headEnd
    }

    /// Reads the floor the outbox keeps, once.
    func load() async throws(OutboxError) {
        guard !loaded else { return }
        current = try await outbox.acknowledgementFloor(headEnd: headEnd)
        loaded = true
    }

    /// An acknowledgement numbered `number` verified and is acted on; `durably` writes it now.
    func accepted(_ number: UInt64, durably: Bool) async throws(OutboxError) {
        current = max(current ?? 0, number)
        if durably {
            try await outbox.raiseAcknowledgementFloor(headEnd: headEnd, to: number)
            unwritten = nil
        } else {
            unwritten = current
        }
    }

    /// The floor to write with a delivery commit; call `written()` once it committed.
    var pending: (headEnd: SystemTitle, number: UInt64)? { unwritten.map { (headEnd, $0) } }

    func written() {
        unwritten = nil
    }

    /// The head-end's current number from a verified answer to this connection's ledger query. Below the floor the
    /// head-end's store was replaced: logged once (an error an operator should know of) and taken, written at once.
    func adopt(_ number: UInt64, logger: Logger) async throws(OutboxError) -> Bool {
        guard let floor = current, number < floor else {
            current = max(current ?? 0, number)
            return false
        }
        logger.error("head-end \(headEnd) numbers its acknowledgements from \(number), below the last one this gateway acted on (\(floor)): its store was replaced or restored; taking its number")
        try await outbox.resetAcknowledgementFloor(headEnd: headEnd, to: number)
        current = number
        unwritten = nil
        return true
    }
}
