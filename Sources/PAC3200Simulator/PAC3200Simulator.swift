import Modbus
import CModbus
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A PAC3200 on libmodbus for desks without a meter: serves a register map to several clients at once (a
/// thread and a libmodbus context each), answers function codes 3 and 4 alike, refuses reads that start inside
/// a value as the meter does, and injects the faults `SimulatorOptions` asks for.
public final class PAC3200Simulator: @unchecked Sendable {
    public let options: SimulatorOptions
    private let mapping: UnsafeMutablePointer<modbus_mapping_t>
    /// Guards `mapping` and `physics`: every answer is computed and sent under it.
    private let lock = NSLock()
    private var physics: PAC3200Physics
    private let currentFaults: Mutex<SimulatorOptions.Faults>
    private let stopping = Atomic<Bool>(false)
    private let served = Atomic<Int>(0)
    private let threads = DispatchGroup()
    private var listener: OpaquePointer?
    private var listenSocket: Int32 = -1
    /// The first register of every value: a read must start on one of them.
    private let valueStarts: Set<Int>

    /// The faults injected now; changing them takes effect with the next request.
    public var faults: SimulatorOptions.Faults {
        get { currentFaults.withLock { $0 } }
        set { currentFaults.withLock { $0 = newValue } }
    }

    /// Requests answered or refused so far.
    public var requestsServed: Int { served.load(ordering: .relaxed) }

    public init(options: SimulatorOptions) throws(SimulatorError) {
        self.options = options
        var options = options
        options.map.definitions.sort { $0.address < $1.address }
        let end = options.map.definitions.map(\.registers.upperBound).max() ?? 0
        guard let mapping = modbus_mapping_new_start_address(0, 0, 0, 0, 0, UInt32(end), 0, UInt32(end)) else {
            throw .cannotListen("cannot allocate a register mapping of \(end) registers")
        }
        self.mapping = mapping
        self.valueStarts = Set(options.map.definitions.map(\.address))
        self.currentFaults = Mutex(options.faults)
        self.physics = PAC3200Physics(meterIndex: options.meterIndex)
    }

    deinit {
        stop()
        modbus_mapping_free(mapping)
    }

    /// Starts listening and serving; returns the port (useful with port 0).
    @discardableResult
    public func start() throws(SimulatorError) -> Int {
        guard let context = modbus_new_tcp_pi(options.host, String(options.port)) else {
            throw .cannotListen("invalid listen address \(options.host):\(options.port)")
        }
        let socket = modbus_tcp_pi_listen(context, 16)
        guard socket >= 0 else {
            let reason = String(cString: strerror(errno))
            modbus_free(context)
            throw .cannotListen("cannot listen on \(options.host):\(options.port): \(reason); pick another --listen port")
        }
        listener = context
        listenSocket = socket
        let port = boundPort(socket)
        threads.enter()
        Thread { [self] in
            acceptLoop()
            threads.leave()
        }.start()
        return port
    }

    /// Stops accepting, closes every connection and waits for the serving threads.
    public func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = threads.wait(timeout: .now() + 3)
        if let listener {
            if listenSocket >= 0 { close(listenSocket) }
            modbus_free(listener)
            self.listener = nil
        }
    }

    private func boundPort(_ socket: Int32) -> Int {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        let family = address.ss_family
        return withUnsafePointer(to: &address) { pointer in
            if family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }

    private func acceptLoop() {
        while !stopping.load(ordering: .acquiring) {
            var descriptor = pollfd(fd: listenSocket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            var socket = listenSocket
            let client = modbus_tcp_pi_accept(listener, &socket)
            guard client >= 0 else { continue }
            threads.enter()
            Thread { [self] in
                serve(client)
                threads.leave()
            }.start()
        }
    }

    /// Answers one client until it leaves, the simulator stops, or a drop is due.
    private func serve(_ socket: Int32) {
        // modbus_receive waits with select(), whose fd_set aborts the whole process for a descriptor of 1024 or above
        // (glibc's FD_SETSIZE check): a process that holds that many (a test process beside a flood) gets its client
        // closed instead, which the client reports as a failed read.
        guard socket < 1024 else { close(socket); return }
        guard let context = modbus_new_tcp_pi("127.0.0.1", "502") else { close(socket); return }
        modbus_set_socket(context, socket)
        defer {
            close(socket)
            modbus_free(context)
        }
        var query = [UInt8](repeating: 0, count: Int(MODBUS_TCP_MAX_ADU_LENGTH))
        let header = Int(modbus_get_header_length(context))
        while !stopping.load(ordering: .acquiring) {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            let length = modbus_receive(context, &query)
            if length < 0 { return }
            if length == 0 { continue }
            let number = served.wrappingAdd(1, ordering: .relaxed).newValue
            let faults = self.faults
            if let every = faults.dropEvery, every > 0, number % every == 0 { return }
            if faults.delay > .zero { Thread.sleep(forTimeInterval: Double(faults.delay / .microseconds(1)) / 1e6) }

            let function = query[header]
            let address = Int(query[header + 1]) << 8 | Int(query[header + 2])
            let count = Int(query[header + 3]) << 8 | Int(query[header + 4])
            if function != 3 && function != 4 {
                modbus_reply_exception(context, query, UInt32(MODBUS_EXCEPTION_ILLEGAL_FUNCTION))
            } else if let at = faults.exceptionAt, (address..<address + count).contains(at) {
                modbus_reply_exception(context, query, UInt32(MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS))
            } else if !valueStarts.contains(address) {
                // The PAC3200 refuses a read that does not start on the first register of a value.
                modbus_reply_exception(context, query, UInt32(MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS))
            } else if faults.exceptionRate > 0, Double.random(in: 0..<1) < faults.exceptionRate {
                modbus_reply_exception(context, query, UInt32(MODBUS_EXCEPTION_SLAVE_OR_SERVER_FAILURE))
            } else {
                lock.withLock {
                    refresh(faults)
                    _ = modbus_reply(context, query, length, mapping)
                }
            }
        }
    }

    /// Writes the values of this instant into the holding and the input registers alike.
    private func refresh(_ faults: SimulatorOptions.Faults) {
        physics.nanPhase = faults.nanPhase
        let values = physics.values()
        let holding = mapping.pointee.tab_registers!
        let input = mapping.pointee.tab_input_registers!
        for definition in options.map.definitions {
            let value: Double
            switch definition.kind {
            case .status:
                value = definition.name == MeterReader.deviceStatusName ? Double(faults.statusBits) : 0
            case .value, .counter:
                value = definition.obis.flatMap { values[$0] } ?? 0
            }
            for (offset, register) in definition.type.encode(value).enumerated() {
                holding[definition.address + offset] = register
                input[definition.address + offset] = register
            }
        }
    }
}

public enum SimulatorError: Error, Sendable, Hashable, CustomStringConvertible {
    case cannotListen(String)
    public var description: String {
        switch self {
        case .cannotListen(let reason): reason
        }
    }
}
