import Foundation
import NIOCore

/// Why a listener could not start, naming the address so a daemon's one-line error says which option to change.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotListen(host: String, port: Int, reason: String)
    case unusableTLSConfiguration(reason: String)

    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let reason): "cannot listen on \(host):\(port): \(reason)"
        case .unusableTLSConfiguration(let reason): "the TLS configuration is not usable: \(reason)"
        }
    }

    /// The system's words for an errno ("Address already in use", "Connection refused"), else the error as NIO
    /// prints it; the clients' messages use it too.
    static func reason(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        return "\(error)"
    }
}
