import CPCSC

/// A failed PC/SC call: the function, and the SCARD_* code it returned.
///
/// Callers branch on `code` (equality and hashing look at the code only, so `error.code == .noService` and
/// `catch let error where error == PCSCError(.noService)` both work); `description` is the one line a user
/// reads, naming the code, the likely cause and what to do about it.
public struct PCSCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Code
    /// The PC/SC function that failed, e.g. "SCardEstablishContext".
    public var function: String

    public init(_ code: Code, function: String = "") {
        self.code = code
        self.function = function
    }

    init(rv: LONG, function: String) {
        self.init(Code(rawValue: SCard.code(rv)), function: function)
    }

    public static func == (lhs: PCSCError, rhs: PCSCError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public var description: String {
        (function.isEmpty ? "" : "\(function) failed: ") + "\(code.name): \(code.explanation)"
    }

    /// Whether the failure means pcscd went away (or never was there): the context is dead, and the only way on
    /// is a new context once pcscd is back.
    public var isServiceGone: Bool {
        [.noService, .serviceStopped, .invalidHandle, .communicationError].contains(code)
    }
}

extension PCSCError {
    /// A PC/SC return code (the 32-bit value of pcsclite.h's SCARD_E_*, SCARD_F_*, SCARD_W_*).
    public struct Code: RawRepresentable, Sendable, Hashable {
        public var rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        public static let internalError = Code(rawValue: 0x8010_0001)
        public static let cancelled = Code(rawValue: 0x8010_0002)
        public static let invalidHandle = Code(rawValue: 0x8010_0003)
        public static let invalidParameter = Code(rawValue: 0x8010_0004)
        public static let noMemory = Code(rawValue: 0x8010_0006)
        public static let insufficientBuffer = Code(rawValue: 0x8010_0008)
        public static let unknownReader = Code(rawValue: 0x8010_0009)
        public static let timeout = Code(rawValue: 0x8010_000A)
        public static let sharingViolation = Code(rawValue: 0x8010_000B)
        public static let noSmartCard = Code(rawValue: 0x8010_000C)
        public static let protocolMismatch = Code(rawValue: 0x8010_000F)
        public static let notReady = Code(rawValue: 0x8010_0010)
        public static let invalidValue = Code(rawValue: 0x8010_0011)
        public static let communicationError = Code(rawValue: 0x8010_0013)
        public static let unknownError = Code(rawValue: 0x8010_0014)
        public static let readerUnavailable = Code(rawValue: 0x8010_0017)
        public static let noService = Code(rawValue: 0x8010_001D)
        public static let serviceStopped = Code(rawValue: 0x8010_001E)
        public static let noReadersAvailable = Code(rawValue: 0x8010_002E)
        public static let serverTooBusy = Code(rawValue: 0x8010_0031)
        public static let unsupportedCard = Code(rawValue: 0x8010_0065)
        public static let unresponsiveCard = Code(rawValue: 0x8010_0066)
        public static let unpoweredCard = Code(rawValue: 0x8010_0067)
        public static let resetCard = Code(rawValue: 0x8010_0068)
        public static let removedCard = Code(rawValue: 0x8010_0069)

        /// The macro's name, or the hex value for a code this table does not know.
        public var name: String {
            Self.table[self]?.name ?? "SCARD code 0x" + String(rawValue, radix: 16, uppercase: true)
        }

        /// Cause and fix in a few words.
        public var explanation: String {
            Self.table[self]?.explanation ?? "an unexpected PC/SC failure; run pcscd -f -d to see what it says"
        }

        private static let table: [Code: (name: String, explanation: String)] = [
            .internalError: ("SCARD_F_INTERNAL_ERROR", "pcscd reported an internal error; check its log (journalctl -u pcscd)"),
            .cancelled: ("SCARD_E_CANCELLED", "the wait was cancelled (SCardCancel), normally because the caller is stopping"),
            .invalidHandle: ("SCARD_E_INVALID_HANDLE", "the PC/SC context is no longer valid, usually because pcscd restarted; establish a new one"),
            .invalidParameter: ("SCARD_E_INVALID_PARAMETER", "a PC/SC call was given a bad parameter (a bug in this program)"),
            .noMemory: ("SCARD_E_NO_MEMORY", "pcscd or the client ran out of memory"),
            .insufficientBuffer: ("SCARD_E_INSUFFICIENT_BUFFER", "the reader list changed while it was read; try again"),
            .unknownReader: ("SCARD_E_UNKNOWN_READER", "no reader has that name; list them with `gatewayctl token readers`"),
            .timeout: ("SCARD_E_TIMEOUT", "nothing changed before the timeout"),
            .sharingViolation: ("SCARD_E_SHARING_VIOLATION", "another program holds the card exclusively; stop it (gpg's scdaemon often does: gpgconf --kill scdaemon)"),
            .noSmartCard: ("SCARD_E_NO_SMARTCARD", "the reader is empty; insert the card"),
            .protocolMismatch: ("SCARD_E_PROTO_MISMATCH", "the card and the reader agree on no protocol (T=0/T=1)"),
            .notReady: ("SCARD_E_NOT_READY", "the reader or card is not ready; reinsert the card"),
            .invalidValue: ("SCARD_E_INVALID_VALUE", "a PC/SC call was given a bad value (a bug in this program)"),
            .communicationError: ("SCARD_F_COMM_ERROR", "the connection to pcscd broke, usually because pcscd stopped; restart it (systemctl restart pcscd)"),
            .unknownError: ("SCARD_F_UNKNOWN_ERROR", "pcscd reported an unknown error; check its log (journalctl -u pcscd)"),
            .readerUnavailable: ("SCARD_E_READER_UNAVAILABLE", "the reader is not available (unplugged, or its driver failed); replug it"),
            .noService: ("SCARD_E_NO_SERVICE", "pcscd is not running (start it: systemctl start pcscd.socket, or pcscd -f)"),
            .serviceStopped: ("SCARD_E_SERVICE_STOPPED", "pcscd stopped; start it again (systemctl start pcscd.socket, or pcscd -f)"),
            .noReadersAvailable: ("SCARD_E_NO_READERS_AVAILABLE", "pcscd sees no reader; plug one in (or check /etc/reader.conf.d for vpcd)"),
            .serverTooBusy: ("SCARD_E_SERVER_TOO_BUSY", "pcscd has too many clients; retry, or find the program that leaks contexts"),
            .unsupportedCard: ("SCARD_W_UNSUPPORTED_CARD", "the reader cannot talk to this card (its ATR is not understood)"),
            .unresponsiveCard: ("SCARD_W_UNRESPONSIVE_CARD", "the card does not answer a reset (mute); reinsert it, or it is broken"),
            .unpoweredCard: ("SCARD_W_UNPOWERED_CARD", "the card lost power; reconnect to it"),
            .resetCard: ("SCARD_W_RESET_CARD", "another program reset the card, so its state (login, selected applet) is gone; reconnect"),
            .removedCard: ("SCARD_W_REMOVED_CARD", "the card was removed; insert it again"),
        ]
    }
}
