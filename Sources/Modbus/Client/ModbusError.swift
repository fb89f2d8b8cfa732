/// A Modbus exception code, as the meter sends it in an exception response.
public struct ModbusException: Sendable, Hashable, CustomStringConvertible {
    public let code: UInt8

    public init(code: UInt8) { self.code = code }

    public static let illegalFunction = ModbusException(code: 1)
    public static let illegalDataAddress = ModbusException(code: 2)
    public static let illegalDataValue = ModbusException(code: 3)
    public static let serverDeviceFailure = ModbusException(code: 4)
    public static let serverDeviceBusy = ModbusException(code: 6)

    public var name: String {
        switch code {
        case 1: "illegal function"
        case 2: "illegal data address"
        case 3: "illegal data value"
        case 4: "server device failure"
        case 5: "acknowledge"
        case 6: "server device busy"
        case 8: "memory parity error"
        case 10: "gateway path unavailable"
        case 11: "gateway target failed to respond"
        default: "exception \(code)"
        }
    }

    public var description: String { "\(code) (\(name))" }
}

/// A contiguous run of registers one request reads.
public struct RegisterRange: Sendable, Hashable, CustomStringConvertible {
    public var start: Int
    public var count: Int
    public var end: Int { start + count }
    public var description: String { count == 1 ? "register \(start)" : "registers \(start)-\(start + count - 1)" }
}

/// What can go wrong talking to a meter, each naming the meter, the registers and what to check.
public enum ModbusError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No TCP connection: the meter is off, unreachable, or not serving Modbus TCP at that port.
    case unreachable(endpoint: String, reason: String)
    /// Connected, but no answer within the response timeout.
    case timeout(endpoint: String, RegisterRange, milliseconds: Int)
    /// The meter answered with an exception; `first` names the first value of the request.
    case exception(ModbusException, RegisterRange, first: String)
    /// The connection broke during a request (reset, closed, garbage on the wire).
    case connectionLost(endpoint: String, RegisterRange, reason: String)
    case invalidEndpoint(String)

    public var description: String {
        switch self {
        case .unreachable(let endpoint, let reason):
            "meter unreachable at \(endpoint): \(reason); check the address and port, that the meter is on, and that Modbus TCP is enabled"
        case .timeout(let endpoint, let range, let milliseconds):
            "meter at \(endpoint) did not answer a read of \(range) within \(milliseconds) ms; check the unit id and the network, or raise the response timeout"
        case .exception(let exception, let range, let first):
            "meter answered exception \(exception) to a read of \(range) (\(first)); check the register map against the meter's firmware"
        case .connectionLost(let endpoint, let range, let reason):
            "connection to the meter at \(endpoint) broke while reading \(range): \(reason); it is reopened on the next read"
        case .invalidEndpoint(let reason):
            reason
        }
    }

    /// Whether the connection must be reopened before the next request.
    var closesConnection: Bool {
        switch self {
        case .exception: false
        default: true
        }
    }
}
