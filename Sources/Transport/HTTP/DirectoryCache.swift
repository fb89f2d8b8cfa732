import PKI
import X509

/// Certificates from the Central Directory, kept for a while: a head-end verifying a thousand frames from one
/// gateway asks the directory once, not a thousand times, and keeps verifying through a short pkid outage.
///
/// Lookups of one serial that overlap share one request. Only answers are kept, never failures: a serial the
/// directory did not know a moment ago may be enrolled now. An entry lives `timeToLive` from the answer, so a
/// certificate the directory stops serving (replaced, or revoked and withdrawn) is asked for again within that time;
/// revocation itself is the verifier's check (CRL or OCSP), not the cache's.
///
/// When the directory cannot be reached to refresh an entry past its time, the entry it had is used (and kept): a
/// pkid outage must not stop a head-end from verifying gateways it already knows, and the certificate is still
/// validated (chain, expiry, CRL) at each use. A serial never seen is refused while the directory is down (fail
/// closed): the caller then answers "retry later".
public actor DirectoryCache {
    public let client: DirectoryClient
    public let timeToLive: Duration
    /// The time entries age by: the continuous clock, or a test's own, which moves only when the test moves it.
    private let now: @Sendable () -> ContinuousClock.Instant
    private var entries: [CertificateSerial: Entry] = [:]

    private enum Entry {
        /// A lookup under way; `stale` is the entry it refreshes, used should the directory be unreachable.
        case pending(Task<Result<Certificate, DirectoryError>, Never>, stale: Certificate?)
        case ready(Certificate, expires: ContinuousClock.Instant)
    }

    public init(client: DirectoryClient, timeToLive: Duration = .seconds(300),
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.client = client
        self.timeToLive = timeToLive
        self.now = now
    }

    /// The certificate with this serial, from the cache while it is fresh, else from the directory.
    public func certificate(serial key: CertificateSerial) async throws(DirectoryError) -> Certificate {
        switch entries[key] {
        case .ready(let certificate, let expires) where now() < expires:
            return certificate
        case .pending(let task, let stale):
            return try Self.answer(await task.value, stale: stale)
        case .ready(let stale, _):
            return try await fetch(key, stale: stale)
        case nil:
            return try await fetch(key, stale: nil)
        }
    }

    private func fetch(_ key: CertificateSerial, stale: Certificate?) async throws(DirectoryError) -> Certificate {
        let client = self.client
        let task = Task { () -> Result<Certificate, DirectoryError> in
            do throws(DirectoryError) { return .success(try await client.certificate(serial: key)) } catch { return .failure(error) }
        }
        entries[key] = .pending(task, stale: stale)
        let result = await task.value
        switch result {
        case .success(let certificate): entries[key] = .ready(certificate, expires: now().advanced(by: timeToLive))
        case .failure(.unreachable) where stale != nil: entries[key] = .ready(stale!, expires: now())
        case .failure: entries[key] = nil
        }
        return try Self.answer(result, stale: stale)
    }

    /// The directory's answer, or the stale entry when the directory could not be reached.
    private static func answer(_ result: Result<Certificate, DirectoryError>, stale: Certificate?) throws(DirectoryError) -> Certificate {
        switch result {
        case .success(let certificate): return certificate
        case .failure(.unreachable) where stale != nil: return stale!
        case .failure(let error): throw error
        }
    }

    /// How many serials are held, fresh or not (for tests and metrics).
    public var count: Int { entries.count }
}
