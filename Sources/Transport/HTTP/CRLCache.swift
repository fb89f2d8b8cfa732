import NIOSSL
import PKI
import X509

/// The CA's current CRL, fetched from pkid (`GET /crl`) and fetched again once it is `refreshInterval` old: what a
/// daemon hands its `CertificateValidator` for every check, so a revocation reaches a running gateway or head-end
/// within that interval without a restart.
///
/// A failed fetch keeps the CRL it had: a short pkid outage changes nothing while that CRL is current. Once it is
/// past its nextUpdate, the validator (failing closed) answers "revocation status unavailable", which is retryable:
/// the head-end then asks the gateway to send again later instead of judging the reading. The CRL's signature is
/// the validator's check (`CRLRevocationPolicy` keeps only CRLs signed by the certificate's issuer), so a CRL from
/// a wrong server is ignored, not trusted.
public actor CRLCache {
    public let url: String
    public let refreshInterval: Duration
    public let retryInterval: Duration
    private let server: HostAndPort
    private let tls: TLSConfiguration?
    /// The cache's own HTTP client, for `GET /crl` only; `shutdown()` when done.
    private let http: HTTPSClient
    private let clock = ContinuousClock()
    private var current: ParsedCRL?
    /// When `crls()` fetches again: `refreshInterval` after a success, `retryInterval` after a failure.
    private var nextFetch: ContinuousClock.Instant?
    private var refreshing: Task<Void, Never>?
    /// Why the last fetch failed, nil after a success: for logs and status.
    public private(set) var lastFailure: String?

    /// - Parameters:
    ///   - url: pkid's base URL, `http://host:port` (its plain listener) or `https://host:port`.
    ///   - trustRoots: for an https URL, the roots pkid's TLS certificate chains to.
    public init(url: String, trustRoots: [Certificate] = [], refreshInterval: Duration = .seconds(60),
                retryInterval: Duration = .seconds(5),
                timeouts: HTTPSClient.Timeouts = .init(connect: .seconds(2), read: .seconds(5))) throws(DirectoryError) {
        guard let parsed = ServiceURL(parsing: url) else { throw .invalidURL(url) }
        self.url = url
        self.server = parsed.endpoint
        self.refreshInterval = refreshInterval
        self.retryInterval = retryInterval
        self.http = HTTPSClient(timeouts: timeouts, maximumAnswerSize: Self.maximumCRLSize)
        if parsed.secure {
            do { tls = try TLSConfigurations.client(trustRoots: trustRoots) } catch {
                throw .malformedAnswer(directory: url, reason: "the trust roots are not usable for TLS: \(error)")
            }
        } else {
            tls = nil
        }
    }

    /// The largest CRL taken, in bytes: some 100,000 revoked serials, far beyond what a gateway fleet revokes, and
    /// still a bound on what a hostile server can make a daemon buffer.
    public static let maximumCRLSize = 4 * 1024 * 1024

    public func shutdown() async {
        await http.shutdown()
    }

    /// The CRLs to validate with now: the last one fetched, after fetching a new one when it is due. Callers that
    /// overlap share one fetch.
    public func crls() async -> [ParsedCRL] {
        if nextFetch.map({ clock.now >= $0 }) ?? true {
            await refresh()
        }
        return current.map { [$0] } ?? []
    }

    /// Fetches the CRL now, whatever its age (after a revocation the daemon was told of, and in tests).
    public func refresh() async {
        if let refreshing { return await refreshing.value }
        let task = Task { await self.fetch() }
        refreshing = task
        await task.value
        refreshing = nil
    }

    private func fetch() async {
        do throws(HTTPClientError) {
            let response = try await http.request(.GET, "/crl", at: server, tls: tls)
            guard response.status.code == 200 else {
                return failed("pkid at \(url) answered HTTP \(response.status.code) for /crl")
            }
            do {
                current = try ParsedCRL(derEncoded: response.body)
                nextFetch = clock.now.advanced(by: refreshInterval)
                lastFailure = nil
            } catch {
                failed("pkid at \(url) sent a CRL that does not parse: \(error)")
            }
        } catch {
            failed("the CRL at \(url)/crl is unreachable: \(error)")
        }
    }

    /// Keeps the CRL it had, and tries again after `retryInterval` rather than a whole interval later (nor at
    /// every call, which would make each verification wait for a connect timeout while pkid is down).
    private func failed(_ reason: String) {
        lastFailure = reason
        nextFetch = clock.now.advanced(by: min(refreshInterval, retryInterval))
    }
}
