/// Constants that identify the card and its PIV application to a host.
public enum PIVApplication {
    /// The PIV application identifier (SP 800-73-4 Part 1 §2.2): RID A000000308, PIX 00001000 0100. A host
    /// selects with the first nine bytes or fewer.
    public static let aid: [UInt8] = [0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00]
    /// The shortest AID prefix a SELECT may use to mean PIV: the RID alone.
    static let rid: [UInt8] = [0xA0, 0x00, 0x00, 0x03, 0x08]

    /// The application property template SELECT answers: `61 { 4F <PIX>, 79 { 4F <RID> } }`. OpenSC 0.23
    /// rejects a card whose PIX in 4F is shorter than six bytes, so the full PIX with version goes there.
    public static let propertyTemplate: [UInt8] = TLV(tag: 0x61, children: [
        TLV(tag: 0x4F, value: Array(aid.dropFirst(5))),
        TLV(tag: 0x79, children: [TLV(tag: 0x4F, value: rid)]),
    ]).encoded

    /// The answer to reset: direct convention, T=0 and T=1 offered, and historical bytes "vPIV-gateway" that
    /// match no card OpenSC knows by ATR, so no vendor driver claims the card before the PIV driver selects its
    /// AID. The check byte TCK is computed (T=1 makes it mandatory).
    public static let atr: [UInt8] = {
        let historical = Array("vPIV-gateway".utf8)
        let body: [UInt8] = [0x80 | UInt8(historical.count), 0x80, 0x01] + historical
        return [0x3B] + body + [body.reduce(0, ^)]
    }()
}
