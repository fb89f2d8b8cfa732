import X509

/// What a handler learns of a request beside Hummingbird's `Request` head: the body, collected whole within
/// `HTTPServerLimits.maximumBodySize`, and who sent it, as the connection vouches for it.
///
/// Logs name the method and the path only: a query or a body may carry what a log must not (an enrollment secret
/// travels in the Authorization header, a CSR in the body).
public struct HTTPRequestContext: Sendable {
    public var body: [UInt8]
    /// The TLS client certificate, if the peer presented one the server's trust roots accept.
    public var clientCertificate: Certificate?
    /// The caller as the kernel names it, on a Unix domain socket; nil over TCP.
    public var peer: PeerCredentials?
}
