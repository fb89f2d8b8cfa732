/// An OBIS code (IEC 62056-6-1): six value groups A.B.C.D.E.F naming a COSEM object instance, 6 bytes on
/// the wire. Printed in the dotted form Gurux uses (`1.0.1.8.0.255`), parsed from that form or the IEC
/// display form (`1-0:1.8.0*255`).
public struct OBISCode: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var a: UInt8, b: UInt8, c: UInt8, d: UInt8, e: UInt8, f: UInt8

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, _ e: UInt8, _ f: UInt8) {
        (self.a, self.b, self.c, self.d, self.e, self.f) = (a, b, c, d, e, f)
    }

    /// From exactly 6 bytes.
    public init(bytes: [UInt8]) throws(OBISCodeError) {
        guard bytes.count == 6 else { throw .wrongByteCount(bytes.count) }
        self.init(bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5])
    }

    /// Parses `A.B.C.D.E.F` or `A-B:C.D.E*F` (also `A-B:C.D.E.F`), each group a decimal 0...255.
    public init(_ text: String) throws(OBISCodeError) {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { throw .empty }
        let groups: [Substring]
        if trimmed.contains("-") || trimmed.contains(":") || trimmed.contains("*") {
            // IEC form: A-B:C.D.E*F
            let ab = trimmed.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard ab.count == 2 else { throw .malformed(text) }
            let head = ab[0].split(separator: "-", omittingEmptySubsequences: false)
            let starred = ab[1].split(separator: "*", omittingEmptySubsequences: false)
            let tail: [Substring]
            switch starred.count {
            case 1: tail = ab[1].split(separator: ".", omittingEmptySubsequences: false)
            case 2: tail = starred[0].split(separator: ".", omittingEmptySubsequences: false) + [starred[1]]
            default: throw .malformed(text)
            }
            guard head.count == 2, tail.count == 4 else { throw .malformed(text) }
            groups = head + tail
        } else {
            groups = trimmed.split(separator: ".", omittingEmptySubsequences: false)
            guard groups.count == 6 else { throw .malformed(text) }
        }
        var values: [UInt8] = []
        for group in groups {
            guard !group.isEmpty, group.count <= 3, group.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(group) else { throw .invalidGroup(String(group), in: text) }
            guard let byte = UInt8(exactly: value) else { throw .groupOutOfRange(value, in: text) }
            values.append(byte)
        }
        self.init(values[0], values[1], values[2], values[3], values[4], values[5])
    }

    public var bytes: [UInt8] { [a, b, c, d, e, f] }

    /// `A.B.C.D.E.F`, the form REFERENCE §3 and the register maps use.
    public var description: String { "\(a).\(b).\(c).\(d).\(e).\(f)" }

    /// `A-B:C.D.E*F`, the IEC 62056-6-1 display form.
    public var iecDescription: String { "\(a)-\(b):\(c).\(d).\(e)*\(f)" }

    public static func < (lhs: OBISCode, rhs: OBISCode) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}

extension String {
    /// Without leading and trailing spaces and tabs (no Foundation).
    var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first ... last]
    }
}
