/// Data-Access-Result, the ENUMERATED a server returns instead of data when a get fails. Kept as a raw byte
/// so codes added by later Blue Book editions still decode and re-encode; `name` knows the published ones.
public struct DataAccessResult: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let success = Self(rawValue: 0)
    public static let hardwareFault = Self(rawValue: 1)
    public static let temporaryFailure = Self(rawValue: 2)
    public static let readWriteDenied = Self(rawValue: 3)
    public static let objectUndefined = Self(rawValue: 4)
    public static let objectClassInconsistent = Self(rawValue: 9)
    public static let objectUnavailable = Self(rawValue: 11)
    public static let typeUnmatched = Self(rawValue: 12)
    public static let scopeOfAccessViolated = Self(rawValue: 13)
    public static let dataBlockUnavailable = Self(rawValue: 14)
    public static let longGetAborted = Self(rawValue: 15)
    public static let noLongGetInProgress = Self(rawValue: 16)
    public static let longSetAborted = Self(rawValue: 17)
    public static let noLongSetInProgress = Self(rawValue: 18)
    public static let dataBlockNumberInvalid = Self(rawValue: 19)
    public static let otherReason = Self(rawValue: 250)

    public var name: String {
        switch rawValue {
        case 0: "success"
        case 1: "hardware-fault"
        case 2: "temporary-failure"
        case 3: "read-write-denied"
        case 4: "object-undefined"
        case 9: "object-class-inconsistent"
        case 11: "object-unavailable"
        case 12: "type-unmatched"
        case 13: "scope-of-access-violated"
        case 14: "data-block-unavailable"
        case 15: "long-get-aborted"
        case 16: "no-long-get-in-progress"
        case 17: "long-set-aborted"
        case 18: "no-long-set-in-progress"
        case 19: "data-block-number-invalid"
        case 250: "other-reason"
        default: "data-access-result \(rawValue)"
        }
    }

    public var description: String { "\(rawValue) (\(name))" }
}
