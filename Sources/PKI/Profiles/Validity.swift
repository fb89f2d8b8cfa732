import Foundation

/// A certificate lifetime as users write it: `10y`, `730d`, `24h`.
public struct Validity: Sendable, Hashable, CustomStringConvertible {
    public var seconds: TimeInterval
    public let description: String

    public init(_ text: String) throws(PKIError) {
        guard let unit = text.last, let number = Double(text.dropLast()), number > 0 else { throw .invalidValidity(text) }
        switch unit {
        case "y": seconds = number * 365 * 86_400
        case "d": seconds = number * 86_400
        case "h": seconds = number * 3_600
        default: throw .invalidValidity(text)
        }
        description = text
    }
}
