import CPCSC

/// The few PC/SC constants this module uses, as Swift values.
///
/// pcsclite.h defines its return codes as `((LONG)0x8010001D)`: macros with a cast do not import into Swift, and
/// on Linux x86_64 `LONG` is a 64-bit `long` while the codes are 32-bit patterns (on macOS `LONG` is 32 bits and
/// the same codes are negative). So return values are compared as `UInt32(truncatingIfNeeded:)` here, and
/// `DWORD`, an `unsigned long` on Linux x86_64, is always spelled `DWORD` rather than `UInt32`.
enum SCard {
    static let scopeSystem = DWORD(0x0002)

    /// `dwCurrentState` / `dwEventState` bits (the high 16 bits carry an event counter, or for the PnP
    /// pseudo-reader the number of readers, and are handed back unchanged).
    static let stateUnaware = DWORD(0x0000)
    static let stateChanged = DWORD(0x0002)
    static let stateUnknown = DWORD(0x0004)
    static let stateUnavailable = DWORD(0x0008)
    static let stateEmpty = DWORD(0x0010)
    static let statePresent = DWORD(0x0020)
    static let stateExclusive = DWORD(0x0080)
    static let stateInUse = DWORD(0x0100)
    static let stateMute = DWORD(0x0200)
    static let stateUnpowered = DWORD(0x0400)

    /// The pseudo-reader whose state changes when a reader appears or disappears.
    static let plugAndPlayReader = "\\\\?PnP?\\Notification"

    static let success = UInt32(0x0000_0000)

    /// A C return value as the 32-bit code the PC/SC specification defines.
    static func code(_ rv: LONG) -> UInt32 { UInt32(truncatingIfNeeded: rv) }
}
