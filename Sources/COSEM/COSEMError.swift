/// Why bytes were refused as A-XDR data, a date-time or an APDU. Every case names the offset (from the start of
/// the bytes handed to the decoder) where decoding stopped, so a hex dump can be checked by hand.
///
/// Decoding is strict on purpose: an input is accepted only if encoding the result gives back the same bytes.
/// That is what lets a verifier check a signature over re-encoded bytes, and it keeps a hostile peer from
/// smuggling a second meaning into padding, long length forms or trailing bytes.
public enum COSEMError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The input ended before a complete value; `at` is where more bytes were needed.
    case truncated(at: Int)
    /// A declared length or element count exceeds the decoder's limit.
    case oversized(at: Int, length: Int, limit: Int)
    /// A Data tag this module does not know (for example 0x07 floating-point, 0x13 compact-array, 0xFF dont-care).
    case unknownTag(UInt8, at: Int)
    /// An APDU tag or CHOICE this module does not decode (for example ciphered or block-transfer APDUs).
    case unsupportedAPDU(tag: UInt8, choice: UInt8?, at: Int)
    /// More values in all than `DecodingLimits.maxValues` allows.
    case tooManyValues(at: Int, limit: Int)
    /// Arrays and structures nest deeper than the limit.
    case nestingTooDeep(at: Int, limit: Int)
    /// A length in a longer form than needed (e.g. `81 05`), or in the 3-byte form `83`, which encoders never write.
    case nonCanonicalLength(at: Int)
    /// A length byte that is neither short form nor `81`/`82`/`83`/`84` (indefinite `80`, or more than 4 bytes).
    case invalidLengthForm(UInt8, at: Int)
    /// Bytes left over after a complete value.
    case trailingBytes(at: Int, count: Int)
    /// A well-formed field whose value is not allowed (a boolean of 7, month 13, unused bits set in a bit-string...).
    case invalidValue(at: Int, String)

    public var description: String {
        switch self {
        case .truncated(let offset):
            "input ends at offset \(offset) in the middle of a value"
        case .oversized(let offset, let length, let limit):
            "length \(length) at offset \(offset) exceeds the limit of \(limit)"
        case .unknownTag(let tag, let offset):
            "unknown A-XDR data tag 0x\(hex(tag)) at offset \(offset)"
        case .unsupportedAPDU(let tag, let choice, let offset):
            if let choice {
                "unsupported APDU 0x\(hex(tag)) choice \(choice) at offset \(offset)"
            } else {
                "unsupported APDU tag 0x\(hex(tag)) at offset \(offset)"
            }
        case .tooManyValues(let offset, let limit):
            "more than \(limit) values in all, at offset \(offset); raise the limit only for a peer known to send that much"
        case .nestingTooDeep(let offset, let limit):
            "arrays and structures nest deeper than \(limit) levels at offset \(offset)"
        case .nonCanonicalLength(let offset):
            "length at offset \(offset) is not in its shortest form"
        case .invalidLengthForm(let byte, let offset):
            "invalid A-XDR length byte 0x\(hex(byte)) at offset \(offset)"
        case .trailingBytes(let offset, let count):
            "\(count) unexpected byte(s) after the value, from offset \(offset)"
        case .invalidValue(let offset, let reason):
            "invalid value at offset \(offset): \(reason)"
        }
    }
}

/// Two upper-case hex digits, without Foundation's `String(format:)`.
func hex(_ byte: UInt8) -> String {
    hex(CollectionOfOne(byte))
}

/// Upper-case hex of a byte sequence, no separators, written as UTF-8 straight into the string: a head-end prints a
/// system title for every frame it checks, and a string per byte joined cost more than the frame's other checks.
func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    let bytes = Array(bytes)
    return String(unsafeUninitializedCapacity: bytes.count * 2) { text in
        for (index, byte) in bytes.enumerated() {
            text[2 * index] = hexDigits[Int(byte >> 4)]
            text[2 * index + 1] = hexDigits[Int(byte & 0x0F)]
        }
        return bytes.count * 2
    }
}

private let hexDigits = Array("0123456789ABCDEF".utf8)
