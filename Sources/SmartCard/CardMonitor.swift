import CPCSC
import Foundation
import Synchronization

/// Watches pcscd for readers and cards coming and going, on a thread of its own, and reports each change as a
/// `CardEvent` on `events`.
///
/// The thread sits in SCardGetStatusChange over every reader (or the one asked for) plus the
/// "\\?PnP?\Notification" pseudo-reader, so pcscd wakes it for a card or a reader list change; between waits it
/// updates the picture `state(of:)` reads and then yields the events, so a consumer that reacts to an event and
/// asks `state(of:)` sees at least that change. The stream begins with the picture at start (every reader
/// appearing, every card in one inserted), so a consumer needs nothing else to know the whole state.
///
/// A gateway's pcscd is restarted by package upgrades and crashes now and then; a monitor that died with it
/// would leave the gateway blind until someone restarts it too. So when pcscd goes away (SCARD_E_NO_SERVICE,
/// SCARD_E_SERVICE_STOPPED, SCARD_E_INVALID_HANDLE, a broken socket) the monitor reports `.serviceLost` once,
/// drops the context (it never works again) and tries a new one with a back-off, 100 ms doubling to 2 s; when
/// one is established it reports `.serviceBack` and then what differs from the picture before (a card gone
/// meanwhile is removed, a new one inserted).
///
/// `stop()` cancels the wait (SCardCancel) and the thread ends within one bounded wait (500 ms) at worst,
/// finishing the stream. Ending the iteration of `events` stops the monitor too, and so does dropping it.
public final class CardMonitor: Sendable {
    /// The reader this monitor is limited to, or nil for all of them.
    public let reader: String?
    /// The changes, in order; finishes when the monitor stops.
    public let events: AsyncStream<CardEvent>
    private let shared: MonitorShared

    /// How long one wait lasts (a stop that misses the cancel is this late at worst) and how retries back off.
    public struct Timing: Sendable {
        public var wait: Duration
        public var firstRetry: Duration
        public var longestRetry: Duration

        public init(wait: Duration = .milliseconds(500), firstRetry: Duration = .milliseconds(100), longestRetry: Duration = .seconds(2)) {
            self.wait = wait
            self.firstRetry = firstRetry
            self.longestRetry = longestRetry
        }
    }

    /// Starts a monitor of every reader, or only of `reader` (a reader of that name that appears later is
    /// reported then; other readers are never mentioned).
    public static func start(reader: String? = nil, timing: Timing = Timing()) -> CardMonitor {
        CardMonitor(reader: reader, timing: timing)
    }

    private init(reader: String?, timing: Timing) {
        self.reader = reader
        let shared = MonitorShared()
        self.shared = shared
        let (stream, continuation) = AsyncStream.makeStream(of: CardEvent.self, bufferingPolicy: .unbounded)
        events = stream
        continuation.onTermination = { _ in shared.requestStop() }
        let loop = MonitorLoop(filter: reader, timing: timing, shared: shared, continuation: continuation)
        let thread = Thread { loop.run() }
        thread.name = "pcsc.monitor"
        thread.start()
    }

    deinit { shared.requestStop() }

    /// The reader's state as the monitor last saw it; nil for a reader it has not seen (yet), or one filtered out.
    public func state(of reader: String) -> ReaderState? {
        shared.table.withLock { $0.readers[reader] }
    }

    /// Every reader the monitor knows, by name.
    public var readers: [ReaderState] {
        shared.table.withLock { $0.readers.values.sorted { $0.name < $1.name } }
    }

    /// Whether the monitor holds a working context to pcscd right now.
    public var isConnected: Bool {
        shared.context.withLock { $0.handle != nil }
    }

    /// Stops the thread: cancels its wait, and the stream finishes once it has left. Returns at once.
    public func stop() {
        shared.requestStop()
    }
}

/// What the monitor's thread and its callers share.
final class MonitorShared: Sendable {
    struct Context {
        var handle: SCARDCONTEXT?
        var stopping = false
    }

    let context = Mutex(Context())
    let table = Mutex(ReaderTable())
    /// Wakes the thread from a back-off pause when the monitor stops.
    let wake = DispatchSemaphore(value: 0)

    var isStopping: Bool { context.withLock { $0.stopping } }

    /// Marks the monitor stopping and cancels a wait in progress. The cancel runs under the lock, so the
    /// thread cannot release the context between reading the handle and cancelling it.
    func requestStop() {
        context.withLock { state in
            guard !state.stopping else { return }
            state.stopping = true
            if let handle = state.handle { PCSCContext.cancel(handle) }
        }
        wake.signal()
    }

    /// Makes `handle` the one `requestStop` cancels; false if the monitor is stopping already.
    func publish(_ handle: SCARDCONTEXT) -> Bool {
        context.withLock { state in
            guard !state.stopping else { return false }
            state.handle = handle
            return true
        }
    }

    func unpublish() {
        context.withLock { $0.handle = nil }
    }
}
