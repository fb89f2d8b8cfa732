/// Data-Access-Result, the ENUMERATED a server returns instead of data when a get fails. Kept as a raw byte
/// so codes added by later Blue Book editions still decode and re-encode; `name` knows the published ones.
public struct DataAccessResult: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The results this project answers with or acts on; any other code is still a value, named by `names`.
    public static let success = Self(rawValue: 0)
    public static let temporaryFailure = Self(rawValue: 2)
    public static let readWriteDenied = Self(rawValue: 3)
    public static let objectUndefined = Self(rawValue: 4)
    public static let otherReason = Self(rawValue: 250)

    /// The published names (the Data-Access-Result ENUMERATED of the xDLMS ASN.1), the one place a code meets its name.
    private static let names: [UInt8: String] = [
        0: "success", 1: "hardware-fault", 2: "temporary-failure", 3: "read-write-denied", 4: "object-undefined",
        9: "object-class-inconsistent", 11: "object-unavailable", 12: "type-unmatched", 13: "scope-of-access-violated",
        14: "data-block-unavailable", 15: "long-get-aborted", 16: "no-long-get-in-progress", 17: "long-set-aborted",
        18: "no-long-set-in-progress", 19: "data-block-number-invalid", 250: "other-reason",
    ]

    public var name: String { Self.names[rawValue] ?? "data-access-result \(rawValue)" }

    public var description: String { "\(rawValue) (\(name))" }
}
