import Foundation
import Synchronization

/// What the poller remembers between polls: the last measurement time it gave (so times strictly increase), and
/// the current run of polls it could not store (so it logs one line when a run starts and one when it ends, and the
/// next reading stored carries the count).
final class PollBook: Sendable {
    /// A run of polls not stored: since when, how many, why (the first cause), and the part the outbox has not
    /// recorded yet (a full disk leaves nothing recorded; a full outbox records each refusal itself).
    struct Episode: Sendable {
        var since: Date
        var count: UInt64
        var cause: String
        var unrecorded: MissedPolls?
    }

    /// The end of a run: how many polls it missed, since when.
    struct Ended: Sendable {
        var since: Date
        var count: UInt64
    }

    /// The last measurement time given, in hundredths of a second since 1970, and the current run.
    private let state = Mutex<(lastHundredths: Int64?, behind: Bool, episode: Episode?)>((nil, false, nil))

    /// The measurement time for a poll that started at `time`: the hundredth of a second it falls in (the record's
    /// resolution), or the hundredth after the last one given when that is not later, so two readings of one meter
    /// never share a time. The date returned is the middle of its hundredth, so the record's truncation to
    /// hundredths cannot land on the one before through a rounding error. `clockWentBack` is true for the first
    /// time moved by more than a second (the clock was set back), so the caller logs that once.
    func measurementTime(for time: Date) -> (time: Date, clockWentBack: Bool) {
        let hundredths = Int64((time.timeIntervalSince1970 * 100).rounded(.down))
        return state.withLock { state in
            var chosen = hundredths
            if let last = state.lastHundredths, chosen <= last { chosen = last + 1 }
            state.lastHundredths = chosen
            let behind = chosen - hundredths > 100
            defer { state.behind = behind }
            return (Date(timeIntervalSince1970: (Double(chosen) + 0.5) / 100), behind && !state.behind)
        }
    }

    /// The polls missed that the outbox has not recorded yet, for the next `take`.
    var unrecorded: MissedPolls? { state.withLock { $0.episode?.unrecorded } }

    /// Counts a poll not stored. `recorded` when the outbox refused it and recorded the refusal (a full outbox), in
    /// the transaction that also recorded the polls passed as `unrecorded`; otherwise (nothing could be written) the
    /// poll joins `unrecorded`. Returns the episode when this poll started it, so the caller logs the start once.
    func missed(at time: Date, cause: String, recorded: Bool) -> Episode? {
        state.withLock { state in
            let started = state.episode == nil
            var episode = state.episode ?? Episode(since: time, count: 0, cause: cause, unrecorded: nil)
            episode.count += 1
            if recorded {
                episode.unrecorded = nil
            } else if episode.unrecorded == nil {
                episode.unrecorded = MissedPolls(count: 1, firstMeasuredAt: time, lastMeasuredAt: time)
            } else {
                episode.unrecorded!.add(at: time)
            }
            state.episode = episode
            return started ? episode : nil
        }
    }

    /// A poll was stored: the run, if any, is over (and the outbox has recorded it with that reading).
    func stored() -> Ended? {
        state.withLock { state in
            defer { state.episode = nil }
            return state.episode.map { Ended(since: $0.since, count: $0.count) }
        }
    }

    var episode: Episode? { state.withLock { $0.episode } }
}
