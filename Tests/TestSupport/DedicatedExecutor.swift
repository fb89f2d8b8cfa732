import Dispatch

/// A `TaskExecutor` on a serial dispatch queue of its own, outside Swift's cooperative pool.
///
/// The whole test run shares a few processes, and on two cores the cooperative pool has two threads, which blocking
/// work in other suites (a socket read, a database) can hold for a moment. A test that measures how long an async
/// call takes (a client's timeout) runs its timed part here, so it measures the code and not that queue; the tasks
/// that run child processes prefer it too (`ChildProcesses.executor`):
/// `try await withTaskExecutorPreference(DedicatedExecutor.shared) { ... }`.
public final class DedicatedExecutor: TaskExecutor, @unchecked Sendable {
    public static let shared = DedicatedExecutor(label: "timed-tests")

    private let queue: DispatchQueue

    /// `attributes` `.concurrent` for an executor of many tasks at once (each task still runs one job at a time).
    public init(label: String, attributes: DispatchQueue.Attributes = []) {
        queue = DispatchQueue(label: label, attributes: attributes)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
