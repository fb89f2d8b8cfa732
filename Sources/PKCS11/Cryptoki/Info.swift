import CPKCS11

/// Cryptoki's fixed-size, blank-padded text fields (labels, manufacturer ids) as Swift strings.
func paddedString<T>(_ field: T) -> String {
    withUnsafeBytes(of: field) { raw in
        var bytes = Array(raw)
        while let last = bytes.last, last == 0x20 || last == 0 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A Cryptoki version: "2.40", "1.23".
public struct Version: Sendable, Hashable, CustomStringConvertible {
    public var major: UInt8
    public var minor: UInt8
    init(_ version: CK_VERSION) { (major, minor) = (version.major, version.minor) }
    public var description: String { "\(major).\(minor)" }
}

/// What C_GetInfo says of a module.
public struct ModuleInfo: Sendable, Hashable {
    public var cryptokiVersion: Version
    public var manufacturer: String
    public var libraryDescription: String
    public var libraryVersion: Version

    init(_ info: CK_INFO) {
        cryptokiVersion = Version(info.cryptokiVersion)
        manufacturer = paddedString(info.manufacturerID)
        libraryDescription = paddedString(info.libraryDescription)
        libraryVersion = Version(info.libraryVersion)
    }
}

/// What C_GetSlotInfo says of a slot (a reader, or one of SoftHSM's virtual slots).
public struct SlotInfo: Sendable, Hashable {
    public var description: String
    public var manufacturer: String
    public var tokenPresent: Bool
    public var removableDevice: Bool
    public var hardwareSlot: Bool

    init(_ info: CK_SLOT_INFO) {
        description = paddedString(info.slotDescription)
        manufacturer = paddedString(info.manufacturerID)
        tokenPresent = info.flags & CK_FLAGS(CKF_TOKEN_PRESENT) != 0
        removableDevice = info.flags & CK_FLAGS(CKF_REMOVABLE_DEVICE) != 0
        hardwareSlot = info.flags & CK_FLAGS(CKF_HW_SLOT) != 0
    }
}

/// What C_GetTokenInfo says of a token, with the flags a user acts on.
public struct TokenInfo: Sendable, Hashable {
    public var label: String
    public var manufacturer: String
    public var model: String
    public var serialNumber: String
    public var flags: Flags
    /// Sessions the token allows at once; nil when it sets no limit or does not say.
    public var maxSessions: Int?
    public var maxReadWriteSessions: Int?
    public var minPINLength: Int
    public var maxPINLength: Int

    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt
        public init(rawValue: UInt) { self.rawValue = rawValue }

        public static let loginRequired = Flags(rawValue: UInt(CKF_LOGIN_REQUIRED))
        public static let userPINInitialized = Flags(rawValue: UInt(CKF_USER_PIN_INITIALIZED))
        public static let tokenInitialized = Flags(rawValue: UInt(CKF_TOKEN_INITIALIZED))
        public static let writeProtected = Flags(rawValue: UInt(CKF_WRITE_PROTECTED))
        public static let protectedAuthenticationPath = Flags(rawValue: UInt(CKF_PROTECTED_AUTHENTICATION_PATH))
        public static let userPINCountLow = Flags(rawValue: UInt(CKF_USER_PIN_COUNT_LOW))
        public static let userPINFinalTry = Flags(rawValue: UInt(CKF_USER_PIN_FINAL_TRY))
        public static let userPINLocked = Flags(rawValue: UInt(CKF_USER_PIN_LOCKED))
        public static let userPINToBeChanged = Flags(rawValue: UInt(CKF_USER_PIN_TO_BE_CHANGED))
        public static let soPINLocked = Flags(rawValue: UInt(CKF_SO_PIN_LOCKED))

        /// The names `gatewayctl token list` prints.
        public var names: [String] {
            let known: [(Flags, String)] = [
                (.tokenInitialized, "initialized"), (.loginRequired, "login-required"),
                (.userPINInitialized, "user-pin-set"), (.writeProtected, "write-protected"),
                (.protectedAuthenticationPath, "pin-pad"), (.userPINCountLow, "PIN-COUNT-LOW"),
                (.userPINFinalTry, "PIN-FINAL-TRY"), (.userPINLocked, "PIN-LOCKED"),
                (.userPINToBeChanged, "pin-to-be-changed"), (.soPINLocked, "SO-PIN-LOCKED"),
            ]
            return known.filter { contains($0.0) }.map(\.1)
        }
    }

    init(_ info: CK_TOKEN_INFO) {
        label = paddedString(info.label)
        manufacturer = paddedString(info.manufacturerID)
        model = paddedString(info.model)
        serialNumber = paddedString(info.serialNumber)
        flags = Flags(rawValue: UInt(info.flags))
        maxSessions = Self.limit(info.ulMaxSessionCount)
        maxReadWriteSessions = Self.limit(info.ulMaxRwSessionCount)
        minPINLength = Int(clamping: info.ulMinPinLen)
        maxPINLength = Int(clamping: info.ulMaxPinLen)
    }

    private static func limit(_ value: CK_ULONG) -> Int? {
        // 0 is CK_EFFECTIVELY_INFINITE; all ones is CK_UNAVAILABLE_INFORMATION.
        value == 0 || value == CK_ULONG.max ? nil : Int(clamping: value)
    }
}

/// A slot and the token in it, if any.
public struct Slot: Sendable, Hashable {
    public var id: CK_SLOT_ID
    public var info: SlotInfo
    public var token: TokenInfo?
}
