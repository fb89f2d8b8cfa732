import Metering

/// What an acknowledgement meant for the frame it names, as `GatewaySession.received(_:)` reports it; the outbox
/// acts on it (delete, keep for later, set aside for good) and the daemon logs and counts it.
public enum SessionEvent: Sendable, Hashable {
    /// Stored by the head-end (accepted, or a duplicate of one stored before): the reading may leave the outbox.
    case delivered(UInt64)
    /// No verdict yet (the head-end could not check revocation or reach its store): the frame is queued again and
    /// the session holds until `retryNow()`.
    case retryLater(UInt64, Refusal)
    /// Refused for good: the frame leaves the session; the outbox keeps it aside for a person to look at, since
    /// sending it again would get the same answer.
    case refusedFinal(UInt64, Refusal)
    /// An acknowledgement for an id not in flight (acknowledged already, or queued again after a lost connection):
    /// nothing changes. Reported, since a head-end that does this often has lost track.
    case ignored(UInt64)
}
