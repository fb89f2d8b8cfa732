import CPCSC

/// What pcscd says of one reader at one moment: is a card in it, its ATR, and who is using it.
public struct ReaderState: Sendable, Hashable {
    /// The reader's name as pcscd lists it ("Virtual PCD 00 00", "Yubico YubiKey OTP+FIDO+CCID 00 00").
    public var name: String
    public var cardPresent: Bool
    /// The card's ATR; nil when the reader is empty (and possibly for a mute card, which never answered).
    public var atr: ATR?
    public var flags: Flags

    public init(name: String, cardPresent: Bool, atr: ATR?, flags: Flags = []) {
        self.name = name
        self.cardPresent = cardPresent
        self.atr = atr
        self.flags = flags
    }

    /// The conditions beyond presence that explain why a card present cannot be used right now.
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// Another program holds the card exclusively (SCARD_SHARE_EXCLUSIVE): a connect will fail.
        public static let exclusive = Flags(rawValue: 1 << 0)
        /// Another program is connected in shared mode (OpenSC, gpg's scdaemon).
        public static let inUse = Flags(rawValue: 1 << 1)
        /// The card did not answer the reset.
        public static let mute = Flags(rawValue: 1 << 2)
        /// The card is in the reader but not powered.
        public static let unpowered = Flags(rawValue: 1 << 3)
        /// pcscd could not read the reader's state (driver trouble).
        public static let unavailable = Flags(rawValue: 1 << 4)

        /// Short names for printing, in a fixed order.
        public var names: [String] {
            let known: [(Flags, String)] = [
                (.exclusive, "exclusive"), (.inUse, "in-use"), (.mute, "mute"), (.unpowered, "unpowered"), (.unavailable, "unavailable"),
            ]
            return known.filter { contains($0.0) }.map(\.1)
        }
    }

    /// The state from a reader state's `dwEventState` and ATR bytes.
    init(name: String, eventState: DWORD, atr: [UInt8]) {
        let present = eventState & SCard.statePresent != 0
        var flags: Flags = []
        if eventState & SCard.stateExclusive != 0 { flags.insert(.exclusive) }
        if eventState & SCard.stateInUse != 0 { flags.insert(.inUse) }
        if eventState & SCard.stateMute != 0 { flags.insert(.mute) }
        if eventState & SCard.stateUnpowered != 0 { flags.insert(.unpowered) }
        if eventState & SCard.stateUnavailable != 0 { flags.insert(.unavailable) }
        self.init(name: name, cardPresent: present, atr: present && !atr.isEmpty ? ATR(atr) : nil, flags: flags)
    }
}
