import Modbus

/// How the simulator behaves, faults included.
public struct SimulatorOptions: Sendable {
    /// The faults a simulator injects; they can be changed while it runs (`PAC3200Simulator.faults`).
    public struct Faults: Sendable, Hashable {
        /// Wait before every answer.
        public var delay: Duration = .zero
        /// Share of requests answered with exception 4 (server device failure), 0...1.
        public var exceptionRate: Double = 0
        /// Requests that cover this register are answered with exception 2 (illegal data address).
        public var exceptionAt: Int?
        /// Close the connection, without answering, on every Nth request.
        public var dropEvery: Int?
        /// This phase (1-3) reads as NaN, as if not connected.
        public var nanPhase: Int?
        /// Bits OR'ed into the device status register (205).
        public var statusBits: UInt32 = 0

        public init() {}
    }

    public var host = "127.0.0.1"
    /// 0 picks a free port; `PAC3200Simulator.start()` returns the one it got.
    public var port = 5020
    public var map: RegisterMap
    public var faults = Faults()
    /// Which of several meters served side by side this is, from 0 (`PAC3200SimulatorGroup` numbers them). Meter 0
    /// reads as a lone simulator always has; each further one runs its load curves at another point of their cycle
    /// and starts from larger energy counters, so that readings from two meters never look alike.
    public var meterIndex = 0

    public init(map: RegisterMap) {
        self.map = map
    }
}
