import Dispatch

/// Runs blocking `work` (a blocking socket, a file lock) on a Dispatch thread, so that it holds none of the
/// cooperative pool's two threads, which an in-process server under test needs for its handlers.
public func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
