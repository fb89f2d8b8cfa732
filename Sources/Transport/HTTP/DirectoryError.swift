/// What a Central Directory lookup reports. Each case names the directory and says what to do, because the
/// person reading it is verifying a frame, not running pkid: "not found" is about the gateway's enrollment,
/// "unreachable" about the address or pkid, "refused" and "malformed" about pkid itself.
public enum DirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)
    /// The directory answered 404: it never issued a certificate with this serial.
    case notFound(serial: String, directory: String)
    case unreachable(directory: String, reason: HTTPClientError)
    case refused(serial: String, directory: String, status: Int, message: String)
    case malformedAnswer(directory: String, reason: String)

    public var description: String {
        switch self {
        case .invalidURL(let url):
            "\(url) is not an http://host:port or https://host:port URL"
        case .notFound(let serial, let directory):
            "the Central Directory at \(directory) has no certificate with serial \(serial); check that the signer enrolled with this pkid, or give its certificate with --cert"
        case .unreachable(let directory, let reason):
            "the Central Directory at \(directory) is unreachable: \(reason); check --directory and that pkid runs"
        case .refused(let serial, let directory, let status, let message):
            "the Central Directory at \(directory) refused the lookup of serial \(serial) (HTTP \(status)): \(message)"
        case .malformedAnswer(let directory, let reason):
            "the Central Directory at \(directory) answered something unusable: \(reason)"
        }
    }
}
