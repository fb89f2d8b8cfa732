/// One message from vpcd (vsmartcard's PC/SC reader driver). On the wire every message is a 2-byte big-endian
/// length and the payload; a one-byte payload is a control code, anything longer a command APDU.
public enum VPCDMessage: Sendable, Hashable {
    case powerOff
    case powerOn
    /// Reset: answered with nothing.
    case reset
    /// Asks for the ATR.
    case getATR
    case apdu([UInt8])
    /// A one-byte code vpcd 3.3 does not define.
    case unknownControl(UInt8)

    public init(payload: [UInt8]) {
        guard payload.count == 1 else {
            self = .apdu(payload)
            return
        }
        switch payload[0] {
        case 0x00: self = .powerOff
        case 0x01: self = .powerOn
        case 0x02: self = .reset
        case 0x04: self = .getATR
        default: self = .unknownControl(payload[0])
        }
    }

    /// The frame for a reply payload.
    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        [UInt8(payload.count >> 8 & 0xFF), UInt8(payload.count & 0xFF)] + payload
    }
}
