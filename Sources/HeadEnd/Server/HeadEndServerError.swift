/// Why the head-end's listener could not start.
public enum HeadEndServerError: Error, Sendable, CustomStringConvertible {
    case unusableTLSConfiguration(reason: String)
    case cannotListen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .unusableTLSConfiguration(let reason): "the TLS settings cannot be used: \(reason)"
        case .cannotListen(let host, let port, let reason): "cannot listen on \(host):\(port): \(reason)"
        }
    }
}
