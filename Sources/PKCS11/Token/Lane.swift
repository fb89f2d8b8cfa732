import Dispatch
import Synchronization

/// One session and the serial queue that owns it: the unit of parallelism of a token.
///
/// Every Cryptoki call for the session runs on its queue, so the session is never used by two threads at once
/// and needs no lock. The queue runs on Dispatch's worker threads, never on an event loop or on Swift's
/// cooperative pool, so a card that takes 150 ms per signature blocks only its own lane. Dispatch keeps its
/// workers warm between jobs: handing a signature to a lane costs about a microsecond, where waking a parked
/// thread of a condition-variable pool costs tens (measured on this machine: 0.9 µs against 27 µs).
///
/// A lane is also a `TaskExecutor`: a task that prefers it (`Token.withTokenThread`) runs on the lane itself,
/// and its calls into the token then run inline, with no hop and no wake-up at all.
final class Lane: TaskExecutor, @unchecked Sendable {
    private let queue: DispatchQueue
    private static let identity = DispatchSpecificKey<ObjectIdentifier>()
    /// Jobs queued or running, to send new work to the least busy lane.
    private let queued = Atomic<Int>(0)

    // Touched only on `queue`:
    var session: Session?
    var sessionGeneration = -1

    init(name: String) {
        queue = DispatchQueue(label: name)
        queue.setSpecific(key: Self.identity, value: ObjectIdentifier(self))
    }

    var pending: Int { queued.load(ordering: .relaxed) }

    /// Whether the calling code runs on this lane's queue.
    var isCurrent: Bool { DispatchQueue.getSpecific(key: Self.identity) == ObjectIdentifier(self) }

    /// Runs `body` on the lane's queue and hands its result back to the awaiting task; inline when the caller
    /// already runs on the lane.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        if isCurrent { return try body() }
        queued.add(1, ordering: .relaxed)
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                let result = Result { try body() }
                self.queued.subtract(1, ordering: .relaxed)
                continuation.resume(with: result)
            }
        }
    }

    /// Holds the lane's queue once the work before it is done, until `released` is signalled; `parked` is left when
    /// the queue has reached the hold. For a module restart, which no session may run across.
    func park(parked: DispatchGroup, released: DispatchSemaphore) {
        parked.enter()
        queue.async {
            parked.leave()
            released.wait()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Runs a blocking call on a Dispatch worker, for the few calls made before a token has lanes. It throws exactly
/// what `body` throws, so a caller with a typed error keeps its type.
func offloaded<T: Sendable, Failure: Error>(_ body: @escaping @Sendable () throws(Failure) -> T) async throws(Failure) -> T {
    let result: Result<T, Failure> = await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: Result { () throws(Failure) -> T in try body() }) }
    }
    return try result.get()
}
