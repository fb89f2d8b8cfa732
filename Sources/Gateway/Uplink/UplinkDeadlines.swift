import COSEM
import NIOCore

/// The uplink's deadlines on a connection, each set by the event that starts it: a frame written (its
/// acknowledgement is due within `acknowledgementTimeout`), the ledger query sent (its answer likewise), a retry-later
/// refusal or a temporary-failure ledger answer (the hold ends after `retryLaterPause`), shutdown (the drain ends after
/// `drainTimeout`). The loop sleeps until the earliest (`UplinkAlarm`) or an event, whichever comes first.
extension UplinkLoop {
    /// The earliest deadline on this connection; nil when nothing is due at any time (idle).
    var exchangeDeadline: ContinuousClock.Instant? {
        let acknowledgement = sentAt.values.min().map { $0.advanced(by: settings.acknowledgementTimeout) }
        let ledger = ledgerQuery.map { $0.sentAt.advanced(by: settings.acknowledgementTimeout) }
        return [acknowledgement, ledger, holdUntil, drainDeadline].compactMap { $0 }.min()
    }

    /// Acts on every deadline that has passed; each is cleared or ends the connection, so the alarm never rings twice
    /// for one. A ring for a deadline that moved later (its frame was acknowledged) finds nothing to do.
    func deadlinesPassed(_ outbound: NIOAsyncChannelOutboundWriter<WrapperFrame>) async throws {
        let now = clock.now
        if let oldest = sentAt.values.min(), now >= oldest.advanced(by: settings.acknowledgementTimeout) {
            throw UplinkError.acknowledgementTimeout(after: settings.acknowledgementTimeout, inFlight: sentAt.count)
        }
        try checkLedgerDeadline()
        if try await askLedgerAgainIfDue(outbound) { return }
        if let holdUntil, now >= holdUntil {
            self.holdUntil = nil
            session.retryNow()
            service.status.update { $0.uplink = .connected }
            try await sendWhatIsDue(outbound)
        }
    }

    /// While shutting down, whether the drain is over: what the outbox holds signed still goes until everything is
    /// acknowledged or the drain time is up; whatever is left goes after the restart.
    func drainIsOver() -> Bool {
        guard shuttingDown else { return false }
        let deadline = drainDeadline ?? clock.now.advanced(by: settings.drainTimeout)
        drainDeadline = deadline
        return session.isIdle || clock.now >= deadline
    }
}
