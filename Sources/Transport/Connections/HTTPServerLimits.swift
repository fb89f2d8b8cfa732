/// What one listener lets its clients hold, so that no client, and no crowd of them, can deny it to the others.
///
/// The security review opened 20,000 connections to pkid that said nothing: they were never closed, pkid ran out of
/// file descriptors, `GET /ca` timed out on both listeners, and 385 MB it took for them were not given back. A
/// connection therefore has to finish its request in time, and a listener holds at most `maxConnections`.
///
/// Each timeout closes a connection that has not finished its request (without an answer: there may be no complete
/// request, or no finished TLS handshake, to answer); whichever comes first wins. pkid answers one request per
/// connection, so there is no keep-alive wait: with the defaults a client that connects and says nothing meets the
/// 10 s header timeout before the 30 s idle one. None applies while pkid itself works on the answer.
public struct HTTPServerLimits: Sendable, Hashable {
    /// A connection on which the client sends nothing at all for this long is closed.
    public var idleTimeout: Duration
    /// The request head (and, on HTTPS, the TLS handshake before it) must have arrived this long after the
    /// connection was accepted, however steadily its bytes trickle in: a slowloris sending a byte a second is never
    /// idle.
    public var headerTimeout: Duration
    /// The whole body must have arrived this long after the head, for the same reason.
    public var bodyTimeout: Duration
    /// Connections this listener holds open at once. At the limit it closes the connection that has waited longest
    /// for its request, so that a client that asks at once gets through a flood of silent connections (see
    /// `ConnectionRegistry`); when all of them are being answered, it stops accepting until one is done.
    public var maxConnections: Int

    public init(
        idleTimeout: Duration = .seconds(30), headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(10),
        maxConnections: Int = 1_000
    ) {
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.maxConnections = maxConnections
    }

    /// Request line and headers together. pkid's longest legitimate head is an OCSP GET, a few hundred bytes;
    /// NIO's default of 80 KiB per field would let each connection pin 80 KiB and a 400 echo 60 KB.
    public static let maximumHeadSize = 16 * 1024
    /// One header line, or the request line.
    public static let maximumFieldSize = 8 * 1024
    /// Header lines in one request.
    public static let maximumHeaderCount = 100
    /// A request body (a CSR is a few hundred bytes, an OCSP request less).
    public static let maximumBodySize = 64 * 1024
}
