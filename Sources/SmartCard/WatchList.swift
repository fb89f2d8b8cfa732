import CPCSC

#if canImport(Glibc)
import Glibc
#endif

/// The readers one status-change wait watches, as the C array libpcsclite reads and writes.
///
/// `SCARD_READERSTATE.szReader` is a C string pointer that must stay valid across the call, so the list owns
/// copies of the names (freed with it). After a wait, `acknowledge` makes each reader's event state the next
/// wait's current state: pcscd then wakes the thread only for what is new. The high 16 bits are kept as they
/// came back, since libpcsclite puts the reader count of the PnP pseudo-reader there and compares it.
final class WatchList {
    let names: [String]
    private let cNames: [UnsafeMutablePointer<CChar>]
    private var states: [SCARD_READERSTATE]

    /// Watches `readers` plus, when asked, the PnP pseudo-reader that wakes the wait when a reader comes or goes.
    /// `known` carries each reader's last acknowledged state over from a previous list; new readers start
    /// SCARD_STATE_UNAWARE, so the next wait reports them at once.
    init(readers: [String], plugAndPlay: Bool, known: [String: DWORD] = [:]) {
        names = readers + (plugAndPlay ? [SCard.plugAndPlayReader] : [])
        cNames = names.map { strdup($0)! }
        states = zip(names, cNames).map { name, cName in
            var state = SCARD_READERSTATE()
            state.szReader = UnsafePointer(cName)
            state.dwCurrentState = known[name] ?? SCard.stateUnaware
            return state
        }
    }

    deinit { cNames.forEach { free($0) } }

    func withStates<T>(_ body: (UnsafeMutablePointer<SCARD_READERSTATE>, DWORD) -> T) -> T {
        let count = DWORD(states.count)
        return states.withUnsafeMutableBufferPointer { body($0.baseAddress!, count) }
    }

    /// What the last successful wait said of each real reader (changed or not: callers compare with what they
    /// knew, which does not depend on how a libpcsclite version sets SCARD_STATE_CHANGED for an unaware reader).
    var reported: [(name: String, eventState: DWORD, atr: [UInt8])] {
        zip(names, states).compactMap { name, state in
            guard name != SCard.plugAndPlayReader else { return nil }
            let atr = withUnsafeBytes(of: state.rgbAtr) { Array($0.prefix(Int(min(state.cbAtr, DWORD($0.count))))) }
            return (name, state.dwEventState, atr)
        }
    }

    /// Whether the last wait reported the reader list changed.
    var readersChanged: Bool {
        zip(names, states).contains { name, state in
            name == SCard.plugAndPlayReader && state.dwEventState & SCard.stateChanged != 0
        }
    }

    /// Each reader's acknowledged state, to carry over to a new list.
    var acknowledged: [String: DWORD] {
        Dictionary(zip(names, states).map { ($0, $1.dwCurrentState) }, uniquingKeysWith: { first, _ in first })
    }

    /// Makes what the last wait reported the state the next wait starts from.
    func acknowledge() {
        for index in states.indices {
            states[index].dwCurrentState = states[index].dwEventState & ~SCard.stateChanged
        }
    }
}
