/// The uplink loop's one timer. The loop has several deadlines (the oldest frame's acknowledgement, the ledger
/// answer, the end of a retry-later hold or a back-off, the drain on shutdown) but only the earliest matters: it is
/// armed here as one sleeping task that posts an event when it is due, so the loop wakes for its events and its
/// deadlines and for nothing else. An idle uplink therefore sleeps without touching the outbox, where a clock tick
/// read it ten times a second.
///
/// Owned by the loop's task, like the loop. A later deadline leaves an armed earlier one in place: as
/// acknowledgements come, the oldest frame's deadline moves later with each, and replacing the task for every one
/// would cost more than the one early ring, after which the loop finds nothing due and arms the next.
final class UplinkAlarm {
    private var armed: (number: Int, at: ContinuousClock.Instant, task: Task<Void, Never>)?
    private var numbered = 0
    private let ring: @Sendable (Int) -> Void

    /// `ring` posts the alarm's number to the loop, which hands it back to `rang(_:)`.
    init(ring: @escaping @Sendable (Int) -> Void) {
        self.ring = ring
    }

    deinit {
        armed?.task.cancel()
    }

    /// Arms the alarm for `deadline`, unless an earlier one is armed; nil disarms it.
    func set(_ deadline: ContinuousClock.Instant?) {
        guard let deadline else {
            armed?.task.cancel()
            armed = nil
            return
        }
        if let armed, armed.at <= deadline { return }
        armed?.task.cancel()
        numbered += 1
        let number = numbered
        let ring = ring
        armed = (number, deadline, Task {
            do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return }
            ring(number)
        })
    }

    /// The loop received ring `number`: the alarm is free again, unless a newer one replaced the one that rang.
    func rang(_ number: Int) {
        if armed?.number == number { armed = nil }
    }
}
