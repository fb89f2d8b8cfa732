import Dispatch
import Foundation

/// Suspends until SIGINT or SIGTERM arrives and returns its name.
public func waitForTermination() async -> String {
    await withCheckedContinuation { continuation in
        let queue = DispatchQueue(label: "signals")
        let resumed = ManagedFlag()
        var sources: [DispatchSourceSignal] = []
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                guard resumed.set() else { return }
                sources.forEach { $0.cancel() }
                continuation.resume(returning: name)
            }
            source.resume()
            sources.append(source)
        }
    }
}

/// A flag that can be set once, for resuming a continuation exactly once.
final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var isSet = false
    /// True for the first caller only.
    func set() -> Bool { lock.withLock { defer { isSet = true }; return !isSet } }
}
