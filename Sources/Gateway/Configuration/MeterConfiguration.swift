import Metering
import Transport

/// One meter a gateway polls: where it answers, how it is read, and the identity its records carry. A gateway
/// polls each of its meters on a poller of its own; their readings share the gateway's outbox and its one
/// sequence of transaction ids, so the head-end's gap rules see one gateway, and a record names its meter by its
/// identity (`meter_number` above all, which is unique among a gateway's meters).
public struct MeterConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var unit: Int
    /// nil: the built-in PAC3200 map.
    public var registerMap: String?
    public var pollInterval: Duration
    public var responseTimeout: Duration
    public var identity: RecordBuilder.Identity

    /// How logs, metrics (`meter` label) and the status name the meter: its number.
    public var name: String { identity.meterNumber }

    public var address: HostAndPort { HostAndPort(host: host, port: port) }
}
