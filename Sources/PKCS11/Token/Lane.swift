import Dispatch
import Foundation
import Synchronization

/// One session and the dedicated thread that owns it: the unit of parallelism of a token.
///
/// Every Cryptoki call for the session runs on the lane's thread, so the session is never used by two threads
/// at once and needs no lock, and no event loop or cooperative thread ever waits on a slow card.
///
/// After a job the thread spins briefly before it parks: waking a parked thread costs tens of microseconds on a
/// virtual machine, as much as a SoftHSM signature itself, and back-to-back signatures are the common case under
/// load. The spin is bounded, so an idle lane costs nothing.
final class Lane: @unchecked Sendable {
    private typealias Job = () -> Void

    private let condition = NSCondition()
    // Guarded by `condition`:
    private var jobs: [Job] = []
    private var stopping = false
    private var parked = false
    /// Jobs queued or running: read without the lock by the spinning thread and by callers choosing a lane.
    let pending = Atomic<Int>(0)

    // Touched only on the lane's thread:
    var session: Session?
    var sessionGeneration = -1

    /// How long the thread spins for the next job before it parks.
    private static let spinWindow = Duration.microseconds(50)

    init(name: String) {
        // The thread keeps its lane alive until `stop()`, which the token's deinit calls.
        let thread = Thread { self.loop() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the lane's thread and hands its result back to the awaiting task.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit {
                let result = Result { try body() }
                continuation.resume(with: result)
            }
        }
    }

    private func submit(_ job: @escaping Job) {
        pending.add(1, ordering: .releasing)
        condition.lock()
        jobs.append(job)
        if parked { condition.signal() }
        condition.unlock()
    }

    /// Ends the thread once queued jobs are done.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        let clock = ContinuousClock()
        while true {
            if pending.load(ordering: .acquiring) == 0 {
                let deadline = clock.now + Self.spinWindow
                var spins = 0
                while pending.load(ordering: .acquiring) == 0 {
                    spins += 1
                    if spins & 63 == 0 && clock.now > deadline { break }
                }
            }
            condition.lock()
            while jobs.isEmpty && !stopping {
                parked = true
                condition.wait()
                parked = false
            }
            if jobs.isEmpty && stopping {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
            pending.subtract(1, ordering: .releasing)
        }
    }
}

/// Runs a blocking call on a Dispatch worker, for the few calls made before a token has lanes.
func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
