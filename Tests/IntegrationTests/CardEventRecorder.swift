import Foundation
import SmartCard
import Synchronization
import Testing

/// Reads a `CardMonitor`'s events in a task of its own and keeps them, so a test can wait for an event with a
/// deadline and print everything the monitor said when it does not come.
final class CardEventRecorder: Sendable {
    private let events = Mutex<[CardEvent]>([])
    private let ended = Mutex(false)

    init(_ monitor: CardMonitor) {
        Task { [self] in
            for await event in monitor.events { events.withLock { $0.append(event) } }
            ended.withLock { $0 = true }
        }
    }

    var all: [CardEvent] { events.withLock { $0 } }
    var streamFinished: Bool { ended.withLock { $0 } }

    /// Waits until `condition` holds for the events so far, failing the test with them after `seconds`.
    @discardableResult
    func wait(for what: String, seconds: Double = 15, sourceLocation: SourceLocation = #_sourceLocation, until condition: ([CardEvent]) -> Bool) async throws -> [CardEvent] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let seen = all
            if condition(seen) { return seen }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("no \(what) within \(seconds) s; the monitor said: \(all.map(\.description))", sourceLocation: sourceLocation)
        throw CancellationError()
    }

    /// Waits until `event` is among the events after the first `index` of them; returns its position.
    @discardableResult
    func wait(for event: CardEvent, after index: Int = 0, seconds: Double = 15, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int {
        let seen = try await wait(for: "\"\(event)\"", seconds: seconds, sourceLocation: sourceLocation) { events in
            events.count > index && events[index...].contains(event)
        }
        return seen[index...].firstIndex(of: event)!
    }

    /// Waits for the stream to finish (after the monitor stopped).
    func waitForEnd(seconds: Double = 5, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if streamFinished { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the event stream did not finish within \(seconds) s of stop()", sourceLocation: sourceLocation)
    }
}
