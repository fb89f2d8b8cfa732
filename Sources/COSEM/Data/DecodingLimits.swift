/// Bounds the decoder enforces against hostile input, checked before anything is allocated.
///
/// Without them a frame of a few bytes could claim a 4 GiB octet-string or a billion-element array, or nest
/// structures until the stack overflows. The defaults fit every real COSEM payload this project meets (a full
/// PAC3200 record is well under 1 KiB and 4 levels deep).
public struct DecodingLimits: Sendable, Hashable {
    /// Deepest nesting of arrays and structures; the outermost value is depth 1.
    public var maxDepth: Int
    /// Most elements one array or structure may declare.
    public var maxElements: Int
    /// Longest octet-string, visible-string, utf8-string or bit-string (in bytes) accepted.
    public var maxLength: Int

    public init(maxDepth: Int = 16, maxElements: Int = 65_535, maxLength: Int = 1 << 20) {
        self.maxDepth = maxDepth
        self.maxElements = maxElements
        self.maxLength = maxLength
    }

    public static let `default` = DecodingLimits()
}
