/// The instructions this card implements (SP 800-73-4 Part 2 §3, ISO 7816-4 for GET RESPONSE).
public enum PIVInstruction: UInt8, Sendable, Hashable {
    case select = 0xA4
    case getData = 0xCB
    case putData = 0xDB
    case verify = 0x20
    case generalAuthenticate = 0x87
    case generateAsymmetricKeyPair = 0x47
    case getResponse = 0xC0
}
