import CPCSC

#if canImport(Glibc)
import Glibc
#endif

/// One connection to pcscd (an `SCARDCONTEXT`), used by one thread.
///
/// libpcsclite blocks in every call (a status-change wait blocks until its timeout), so a context lives on a
/// thread of its own: `Readers` makes one per snapshot on a fresh thread, `CardMonitor` keeps one on its thread.
/// The only call another thread may make on it is `SCardCancel`, which is why `CardMonitor` hands the raw handle
/// out and not this object.
///
/// A context does not survive pcscd: once pcscd stops, every call on it fails (SCARD_E_NO_SERVICE,
/// SCARD_E_INVALID_HANDLE) even after pcscd is back, and the owner must release it and establish a new one.
final class PCSCContext {
    let handle: SCARDCONTEXT
    private var released = false

    private init(handle: SCARDCONTEXT) { self.handle = handle }

    /// SCardEstablishContext(SCARD_SCOPE_SYSTEM); fails with SCARD_E_NO_SERVICE at once when pcscd is not there.
    static func establish() throws(PCSCError) -> PCSCContext {
        var handle: SCARDCONTEXT = 0
        let rv = SCardEstablishContext(SCard.scopeSystem, nil, nil, &handle)
        guard SCard.code(rv) == SCard.success else { throw PCSCError(rv: rv, function: "SCardEstablishContext") }
        return PCSCContext(handle: handle)
    }

    deinit { release() }

    func release() {
        guard !released else { return }
        released = true
        _ = SCardReleaseContext(handle)
    }

    /// The readers pcscd knows, in its order; empty when there are none (SCARD_E_NO_READERS_AVAILABLE is an
    /// answer here, not a failure).
    func readerNames() throws(PCSCError) -> [String] {
        // The list can grow between the sizing call and the reading call; then the second one reports
        // SCARD_E_INSUFFICIENT_BUFFER and the pair is simply repeated.
        for _ in 0..<3 {
            var length: DWORD = 0
            var rv = SCardListReaders(handle, nil, nil, &length)
            if SCard.code(rv) == PCSCError.Code.noReadersAvailable.rawValue { return [] }
            guard SCard.code(rv) == SCard.success else { throw PCSCError(rv: rv, function: "SCardListReaders") }
            var buffer = [CChar](repeating: 0, count: Int(length))
            rv = SCardListReaders(handle, nil, &buffer, &length)
            if SCard.code(rv) == PCSCError.Code.noReadersAvailable.rawValue { return [] }
            if SCard.code(rv) == PCSCError.Code.insufficientBuffer.rawValue { continue }
            guard SCard.code(rv) == SCard.success else { throw PCSCError(rv: rv, function: "SCardListReaders") }
            return Self.multiString(buffer.prefix(Int(length)))
        }
        throw PCSCError(.insufficientBuffer, function: "SCardListReaders")
    }

    /// A PC/SC multi-string: names separated by NUL, the list ended by an empty name.
    static func multiString(_ buffer: some Collection<CChar>) -> [String] {
        buffer.split(separator: 0, omittingEmptySubsequences: true).map { name in
            String(decoding: name.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// SCardGetStatusChange over `watches`, waiting up to `timeout` milliseconds (0: answer at once).
    /// Returns false when the timeout passed with nothing changed.
    func waitForChange(_ watches: WatchList, timeout: DWORD) throws(PCSCError) -> Bool {
        let rv = watches.withStates { states, count in SCardGetStatusChange(handle, timeout, states, count) }
        switch SCard.code(rv) {
        case SCard.success: return true
        case PCSCError.Code.timeout.rawValue: return false
        default: throw PCSCError(rv: rv, function: "SCardGetStatusChange")
        }
    }

    /// SCardCancel from any thread: ends a waitForChange on `handle` with SCARD_E_CANCELLED.
    static func cancel(_ handle: SCARDCONTEXT) {
        _ = SCardCancel(handle)
    }
}
