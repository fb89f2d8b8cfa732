/// One-shot reads of the readers pcscd knows and the cards in them.
///
/// Each call establishes a context of its own, asks SCardGetStatusChange with timeout 0 and every reader
/// SCARD_STATE_UNAWARE (which makes pcscd answer at once with the current state), and releases the context.
/// For a stream of changes, use `CardMonitor`.
public enum Readers {
    /// Every reader with its card state, in pcscd's order; empty when pcscd sees no reader. Runs on a thread of
    /// its own. Fails with `PCSCError` (`.noService` when pcscd is not running).
    public static func list() async throws(PCSCError) -> [ReaderState] {
        try await onOwnThread("pcsc.readers") { () throws(PCSCError) in try current() }
    }

    /// The same, blocking the calling thread: for code that already runs on a thread of its own.
    public static func current() throws(PCSCError) -> [ReaderState] {
        let context = try PCSCContext.establish()
        defer { context.release() }
        return try states(of: try context.readerNames(), in: context)
    }

    /// The state of the reader named `name`, or nil when pcscd has no such reader. Blocks the calling thread.
    public static func state(of name: String) throws(PCSCError) -> ReaderState? {
        let context = try PCSCContext.establish()
        defer { context.release() }
        guard try context.readerNames().contains(name) else { return nil }
        return try states(of: [name], in: context).first
    }

    static func states(of names: [String], in context: PCSCContext) throws(PCSCError) -> [ReaderState] {
        guard !names.isEmpty else { return [] }
        let watches = WatchList(readers: names, plugAndPlay: false)
        do {
            _ = try context.waitForChange(watches, timeout: 0)
        } catch where error.code == .unknownReader {
            // A reader left between the listing and the wait: read the list again.
            return try states(of: try context.readerNames(), in: context)
        }
        return watches.reported.compactMap { name, eventState, atr in
            eventState & SCard.stateUnknown != 0 ? nil : ReaderState(name: name, eventState: eventState, atr: atr)
        }
    }
}
