import CPCSC
import Dispatch

/// The body of a `CardMonitor`'s thread: establish a context, watch until it fails or the monitor stops, and
/// start over with a back-off while pcscd is away.
struct MonitorLoop: Sendable {
    let filter: String?
    let timing: CardMonitor.Timing
    let shared: MonitorShared
    let continuation: AsyncStream<CardEvent>.Continuation

    func run() {
        var retry = timing.firstRetry
        var lost = false
        while !shared.isStopping {
            let context: PCSCContext
            do {
                context = try PCSCContext.establish()
            } catch {
                if !lost {
                    lost = true
                    continuation.yield(.serviceLost(error))
                }
                pause(retry)
                retry = min(retry * 2, timing.longestRetry)
                continue
            }
            guard shared.publish(context.handle) else {
                context.release()
                break
            }
            if lost {
                lost = false
                continuation.yield(.serviceBack)
            }
            retry = timing.firstRetry
            let failure = watch(context)
            shared.unpublish()
            context.release()
            if let failure {
                lost = true
                continuation.yield(.serviceLost(failure))
                pause(retry)
            }
        }
        continuation.finish()
    }

    /// Waits for changes on `context` until the monitor stops (nil) or a call fails (the failure).
    private func watch(_ context: PCSCContext) -> PCSCError? {
        var watches: WatchList?
        var needsList = true
        let timeout = Self.milliseconds(timing.wait)
        while !shared.isStopping {
            do {
                if needsList {
                    let names = try context.readerNames().filter { filter == nil || $0 == filter }
                    emit(shared.table.withLock { $0.keep(only: Set(names)) })
                    watches = WatchList(readers: names, plugAndPlay: true, known: watches?.acknowledged ?? [:])
                    needsList = false
                }
                guard let watches, try context.waitForChange(watches, timeout: timeout) else { continue }
                for (name, eventState, atr) in watches.reported {
                    if eventState & SCard.stateUnknown != 0 {
                        needsList = true  // the reader left; the new list says so
                        continue
                    }
                    let state = ReaderState(name: name, eventState: eventState, atr: atr)
                    emit(shared.table.withLock { $0.update(state) })
                }
                if watches.readersChanged { needsList = true }
                watches.acknowledge()
            } catch where error.code == .cancelled {
                continue  // stop() cancelled the wait; the loop condition ends it
            } catch where error.code == .unknownReader {
                needsList = true
            } catch {
                return error
            }
        }
        return nil
    }

    private func emit(_ events: [CardEvent]) {
        for event in events { continuation.yield(event) }
    }

    /// Sleeps `duration`, or less when the monitor stops meanwhile.
    private func pause(_ duration: Duration) {
        _ = shared.wake.wait(timeout: .now() + .milliseconds(Int(Self.milliseconds(duration))))
    }

    static func milliseconds(_ duration: Duration) -> DWORD {
        let (seconds, attoseconds) = duration.components
        return DWORD(max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }
}
