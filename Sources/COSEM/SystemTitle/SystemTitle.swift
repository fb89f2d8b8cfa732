/// A DLMS system title (IEC 62056-5-3 §4.3.4): 8 bytes that name a device, written as 16 hex digits. It is what
/// general-signing carries as originator and recipient, the subject CN of a device's signing and TLS certificates,
/// and so how a receiver ties a frame to a certificate. The text form is upper case, whatever case it was given in,
/// so a system title compares equal wherever it was typed.
public struct SystemTitle: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(hex text: String) throws(SystemTitleError) {
        let digits = Array(text.utf8)
        guard digits.count == 16 else { throw SystemTitleError(text: text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8)
        for index in stride(from: 0, to: 16, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else {
                throw SystemTitleError(text: text)
            }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    public init(bytes: [UInt8]) throws(SystemTitleError) {
        guard bytes.count == 8 else { throw SystemTitleError(text: hex(bytes)) }
        self.bytes = bytes
    }

    /// Upper-case hex, as the certificate's CN carries it.
    public var description: String { hex(bytes) }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

/// Text or bytes that are not a system title.
public struct SystemTitleError: Error, Sendable, Hashable, CustomStringConvertible {
    public var text: String

    public var description: String {
        "invalid system title \"\(text)\"; a system title is 8 bytes written as 16 hex digits, e.g. 00DB1234567890A0"
    }
}
