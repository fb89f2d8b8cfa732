/// Several independent PAC3200s for a gateway that polls more than one meter, one port each.
///
/// One port per meter rather than one port with several unit ids: a gateway holds one libmodbus context, and so
/// one connection, per meter, and a real meter is a device of its own at an address of its own. Every meter has
/// its own register mapping, physics (`SimulatorOptions.meterIndex`) and lock, so a slow answer from one never
/// holds up another; the faults apply to all of them alike.
public final class PAC3200SimulatorGroup: Sendable {
    /// The meters, in order: meter `i` has `meterIndex` `i`.
    public let simulators: [PAC3200Simulator]

    /// `count` meters configured like `options`. Port 0 lets each pick a free port; a fixed port P gives meter `i`
    /// port P + i.
    public init(count: Int, options: SimulatorOptions) throws(SimulatorError) {
        guard count >= 1 else { throw .cannotListen("cannot serve \(count) meters; serve at least one") }
        let last = options.port + count - 1
        guard options.port == 0 || last <= Int(UInt16.max) else {
            throw .cannotListen("\(count) meters from port \(options.port) would need ports up to \(last); pick a --listen port up to \(Int(UInt16.max) - count + 1), or port 0")
        }
        var simulators: [PAC3200Simulator] = []
        for index in 0..<count {
            var meter = options
            meter.meterIndex = index
            meter.port = options.port == 0 ? 0 : options.port + index
            simulators.append(try PAC3200Simulator(options: meter))
        }
        self.simulators = simulators
    }

    /// Starts every meter, in order, and returns their ports; if one cannot listen, stops those already started.
    public func start() throws(SimulatorError) -> [Int] {
        var ports: [Int] = []
        for simulator in simulators {
            do {
                ports.append(try simulator.start())
            } catch {
                stop()
                throw error
            }
        }
        return ports
    }

    /// Stops every meter.
    public func stop() {
        for simulator in simulators { simulator.stop() }
    }

    /// Requests answered or refused by all the meters together.
    public var requestsServed: Int {
        simulators.reduce(0) { $0 + $1.requestsServed }
    }
}
