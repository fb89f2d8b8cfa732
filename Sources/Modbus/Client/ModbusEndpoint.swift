/// Where a meter answers: host name or address (IPv4 or IPv6), TCP port, and Modbus unit id.
public struct ModbusEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var unit: Int

    public init(host: String, port: Int = 502, unit: Int = 1) throws(ModbusError) {
        guard !host.isEmpty else { throw .invalidEndpoint("no meter host given; use --host NAME or an address") }
        guard (1...65535).contains(port) else { throw .invalidEndpoint("port \(port) is outside 1-65535") }
        guard (0...255).contains(unit) else { throw .invalidEndpoint("unit id \(unit) is outside 0-255") }
        self.host = host
        self.port = port
        self.unit = unit
    }

    /// `host:port`, with an IPv6 address in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
