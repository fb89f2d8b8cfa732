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
    /// Most values one Data may hold in all, nested ones included. A decoded value takes some 40 bytes where a
    /// null-data takes one on the wire, so without this bound a 5 MB frame of null arrays took 729 MB to decode
    /// and print; with it, a decoded tree stays within about `maxValues` × 40 bytes, whatever the input.
    public var maxValues: Int

    public init(maxDepth: Int = 16, maxElements: Int = 65_535, maxLength: Int = 1 << 20, maxValues: Int = 65_536) {
        self.maxDepth = maxDepth
        self.maxElements = maxElements
        self.maxLength = maxLength
        self.maxValues = maxValues
    }

    public static let `default` = DecodingLimits()
}
