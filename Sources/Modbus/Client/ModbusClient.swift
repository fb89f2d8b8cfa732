import CModbus
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A Modbus TCP client on libmodbus: one connection, one libmodbus context, one serial queue.
///
/// A libmodbus context is not thread-safe and its calls block for up to the response timeout, so every call
/// runs on the client's own queue, never on an event loop. After a broken connection or a timeout the context
/// is closed (a late answer would otherwise be read as the next one) and the next read reconnects, waiting out
/// an exponential back-off when reconnecting keeps failing.
public final class ModbusClient: @unchecked Sendable {
    public struct Options: Sendable, Hashable {
        /// 3 (holding registers) or 4 (input registers).
        public var functionCode: UInt8 = 3
        public var responseTimeout: Duration = .milliseconds(500)
        public var connectTimeout: Duration = .seconds(2)
        public var backoff = Backoff()
        public init() {}
    }

    public let endpoint: ModbusEndpoint
    public let options: Options
    private let queue: DispatchQueue
    /// The libmodbus context; touched only on `queue`.
    private var context: OpaquePointer?
    private let reconnect = Mutex<(failures: Int, notBefore: ContinuousClock.Instant?)>((0, nil))

    public init(endpoint: ModbusEndpoint, options: Options = Options()) {
        self.endpoint = endpoint
        self.options = options
        self.queue = DispatchQueue(label: "modbus \(endpoint)")
    }

    deinit {
        if let context {
            modbus_close(context)
            modbus_free(context)
        }
    }

    /// Reads `range` with the configured function code and returns the registers and the request's round trip.
    /// `first` names the range's first value for error messages.
    public func read(_ range: RegisterRange, first: String) async throws(ModbusError) -> (registers: [UInt16], roundTrip: Duration) {
        let wait = reconnect.withLock { $0.notBefore }
        if let wait, wait > .now { try? await Task.sleep(until: wait, clock: .continuous) }
        let result = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Result { () throws(ModbusError) in try self.readNow(range, first: first) }) }
        }
        return try result.get()
    }

    /// Closes the connection; the next read opens a new one.
    public func close() async {
        await withCheckedContinuation { continuation in
            queue.async {
                self.disconnect()
                continuation.resume()
            }
        }
    }

    // MARK: On the queue

    private func readNow(_ range: RegisterRange, first: String) throws(ModbusError) -> ([UInt16], Duration) {
        let context = try connected()
        var registers = [UInt16](repeating: 0, count: range.count)
        let clock = ContinuousClock()
        let start = clock.now
        errno = 0
        let count = options.functionCode == 4
            ? modbus_read_input_registers(context, Int32(range.start), Int32(range.count), &registers)
            : modbus_read_registers(context, Int32(range.start), Int32(range.count), &registers)
        let roundTrip = clock.now - start
        let code = errno
        if count == range.count { return (registers, roundTrip) }

        let error: ModbusError
        if count == -1, code > MODBUS_ENOBASE, code <= MODBUS_ENOBASE + Int32(MODBUS_EXCEPTION_GATEWAY_TARGET) {
            error = .exception(ModbusException(code: UInt8(code - MODBUS_ENOBASE)), range, first: first)
        } else if count == -1, code == ETIMEDOUT {
            error = .timeout(endpoint: endpoint.description, range, milliseconds: Int(options.responseTimeout / .milliseconds(1)))
        } else {
            error = .connectionLost(endpoint: endpoint.description, range, reason: count == -1 ? describe(code) : "answer of \(count) registers instead of \(range.count)")
        }
        if error.closesConnection { disconnect() }
        throw error
    }

    private func connected() throws(ModbusError) -> OpaquePointer {
        if let context { return context }
        guard let context = modbus_new_tcp_pi(endpoint.host, String(endpoint.port)) else {
            throw .invalidEndpoint("cannot use meter address \(endpoint): \(describe(errno))")
        }
        modbus_set_slave(context, Int32(endpoint.unit))
        // libmodbus bounds connect() by the response timeout; use the connect timeout for it.
        setTimeout(context, options.connectTimeout)
        errno = 0
        if modbus_connect(context) == -1 {
            let code = errno
            modbus_free(context)
            noteConnectFailure()
            // libmodbus 3.1.6 leaves errno unset when connect() times out.
            let reason = code == 0 || code == EINPROGRESS ? "no answer within \(Int(options.connectTimeout / .milliseconds(1))) ms" : describe(code)
            throw .unreachable(endpoint: endpoint.description, reason: reason)
        }
        // libmodbus waits with select(), which overflows its fd_set for descriptors of 1024 and above.
        guard modbus_get_socket(context) < 1024 else {
            modbus_close(context)
            modbus_free(context)
            throw .unreachable(endpoint: endpoint.description, reason: "the process has over 1024 open files, more than libmodbus can wait on")
        }
        setTimeout(context, options.responseTimeout)
        reconnect.withLock { $0 = (0, nil) }
        self.context = context
        return context
    }

    private func noteConnectFailure() {
        reconnect.withLock { state in
            state.failures += 1
            state.notBefore = .now + options.backoff.delay(afterFailures: state.failures)
        }
    }

    private func disconnect() {
        guard let context else { return }
        modbus_close(context)
        modbus_free(context)
        self.context = nil
    }

    private func setTimeout(_ context: OpaquePointer, _ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        modbus_set_response_timeout(context, UInt32(clamping: seconds), UInt32(clamping: attoseconds / 1_000_000_000_000))
    }

    /// errno as text, with libmodbus's own codes named here (modbus_strerror shares one buffer between threads).
    private func describe(_ code: Int32) -> String {
        switch code {
        case MODBUS_ENOBASE + 13: return "bad data in the answer"  // EMBBADDATA
        case MODBUS_ENOBASE + 14: return "bad exception code in the answer"
        case MODBUS_ENOBASE + 15: return "unknown exception code in the answer"
        case MODBUS_ENOBASE + 16: return "too many registers in the answer"
        case MODBUS_ENOBASE + 17: return "answer from another unit id"
        default:
            // glibc's strerror returns static text for known codes and a thread-local buffer otherwise.
            return String(cString: strerror(code))
        }
    }
}
