import Foundation

/// Runs a blocking PC/SC job on a thread of its own and hands the result to the awaiting task.
///
/// libpcsclite blocks the calling thread (a status-change wait up to its timeout; connecting to a pcscd that
/// hangs, for longer), so no PC/SC call may run on Swift's cooperative pool, where it would starve unrelated
/// tasks, or on an event loop. Snapshots are rare (a CLI listing, a daemon checking its reader at start), so a
/// fresh thread per job costs nothing that matters and cannot be starved by other blocking work either.
func onOwnThread<T: Sendable, E: Error>(_ name: String, _ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
    let result: Result<T, E> = await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: Result { () throws(E) -> T in try body() }) }
        thread.name = name
        thread.start()
    }
    return try result.get()
}
