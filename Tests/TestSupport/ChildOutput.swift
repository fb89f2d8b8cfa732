import Foundation
import Synchronization

/// What a running child has printed so far and how it ended: written by the task that reads its pipes, read by
/// the test, which waits for a line or for the end as an event. A waiting test suspends on a continuation that the
/// next line or the end resumes; its timeout only bounds a failure. Nothing polls.
final class ChildOutput: Sendable {
    /// The child as seen at one instant.
    struct Snapshot: Sendable {
        var lines: [String] = []
        var errors = ""
        var processIdentifier: pid_t?
        /// The exit code, or the number of the signal that ended it; nil while it runs.
        var status: Int32?
        var endedBySignal = false
        /// Why the child could not be started or read, when that happened.
        var failure: String?
        var hasEnded: Bool { status != nil }
    }

    private struct Waiter {
        let isSatisfied: @Sendable (Snapshot) -> Bool
        let continuation: CheckedContinuation<Snapshot, Never>
        let timer: Task<Void, Never>?
    }

    private struct State {
        var snapshot = Snapshot()
        var waiters: [Int: Waiter] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    var current: Snapshot { state.withLock { $0.snapshot } }

    /// Applies `change` and resumes whoever waits for what the child now shows.
    func update(_ change: (inout Snapshot) -> Void) {
        let (now, ready) = state.withLock { state in
            change(&state.snapshot)
            let snapshot = state.snapshot
            let ready = state.waiters.filter { $0.value.isSatisfied(snapshot) }
            for id in ready.keys { state.waiters[id] = nil }
            return (snapshot, Array(ready.values))
        }
        for waiter in ready {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: now)
        }
    }

    /// Runs `body` on the snapshot under the lock (to signal only a child that has not ended, say).
    func withCurrent<T>(_ body: (Snapshot) -> T) -> T {
        state.withLock { body($0.snapshot) }
    }

    /// Suspends until `isSatisfied` holds or `timeout` passes (nil: however long it takes); returns the child as it
    /// is then.
    func wait(timeout: Duration?, until isSatisfied: @escaping @Sendable (Snapshot) -> Bool) async -> Snapshot {
        await withCheckedContinuation { continuation in
            let now: Snapshot? = state.withLock { state in
                if isSatisfied(state.snapshot) { return state.snapshot }
                state.nextWaiter += 1
                let id = state.nextWaiter
                let timer = timeout.map { timeout in
                    Task { [weak self] in
                        guard (try? await Task.sleep(for: timeout)) != nil else { return }
                        self?.expire(id)
                    }
                }
                state.waiters[id] = Waiter(isSatisfied: isSatisfied, continuation: continuation, timer: timer)
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    private func expire(_ id: Int) {
        let (waiter, now) = state.withLock { ($0.waiters.removeValue(forKey: id), $0.snapshot) }
        waiter?.continuation.resume(returning: now)
    }
}
