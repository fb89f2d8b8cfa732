/// The wrapper ports of the uplink between a gateway and its head-end: the gateway's management logical device and
/// the head-end's client. Both ends answer on the ports they were addressed from.
public enum UplinkPorts {
    public static let gateway: UInt16 = 1
    public static let headEnd: UInt16 = 1
}
