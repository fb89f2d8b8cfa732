/// SW1SW2, the two bytes ending every response (ISO 7816-4 §5.6, SP 800-73-4 Part 2 per command). Named here
/// for the answers OpenSC's PIV driver tells apart: 63Cx counts PIN tries, 6983 means blocked, 6A82 "no such
/// object" hides a key from PKCS#11 rather than failing the token.
public struct StatusWord: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ sw1: UInt8, _ sw2: UInt8) { rawValue = UInt16(sw1) << 8 | UInt16(sw2) }

    public var sw1: UInt8 { UInt8(rawValue >> 8) }
    public var sw2: UInt8 { UInt8(rawValue & 0xFF) }

    public static let success = StatusWord(rawValue: 0x9000)
    /// 61xx: xx more bytes wait for GET RESPONSE (00: 256 or more).
    public static func moreData(_ remaining: Int) -> StatusWord { StatusWord(0x61, UInt8(min(remaining, 256) & 0xFF)) }
    /// 63Cx: wrong PIN, x tries left.
    public static func wrongPIN(triesLeft: Int) -> StatusWord { StatusWord(0x63, 0xC0 | UInt8(max(0, min(triesLeft, 15)))) }
    public static let wrongLength = StatusWord(rawValue: 0x6700)
    public static let lastCommandOfChainExpected = StatusWord(rawValue: 0x6883)
    public static let securityStatusNotSatisfied = StatusWord(rawValue: 0x6982)
    public static let authenticationMethodBlocked = StatusWord(rawValue: 0x6983)
    public static let conditionsOfUseNotSatisfied = StatusWord(rawValue: 0x6985)
    public static let incorrectData = StatusWord(rawValue: 0x6A80)
    public static let fileNotFound = StatusWord(rawValue: 0x6A82)
    public static let incorrectP1P2 = StatusWord(rawValue: 0x6A86)
    public static let referencedDataNotFound = StatusWord(rawValue: 0x6A88)
    public static let instructionNotSupported = StatusWord(rawValue: 0x6D00)
    public static let classNotSupported = StatusWord(rawValue: 0x6E00)
    public static let noPreciseDiagnosis = StatusWord(rawValue: 0x6F00)

    public var description: String { String(rawValue, radix: 16, uppercase: true).leftPadded(to: 4) }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
