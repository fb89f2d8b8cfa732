import PKI
import X509

/// Certificates from the Central Directory, kept for a while: a head-end verifying a thousand frames from one
/// gateway asks the directory once, not a thousand times, and keeps verifying through a short pkid outage.
///
/// Lookups of one serial that overlap share one request. Only answers are kept, never failures: a serial the
/// directory did not know a moment ago may be enrolled now. An entry lives `timeToLive` from the answer, so a
/// certificate the directory stops serving (replaced, or revoked and withdrawn) is asked for again within that time;
/// revocation itself is the verifier's check (CRL or OCSP), not the cache's.
public actor DirectoryCache {
    public let client: DirectoryClient
    public let timeToLive: Duration
    private let clock = ContinuousClock()
    private var entries: [CertificateSerial: Entry] = [:]

    private enum Entry {
        case pending(Task<Result<Certificate, DirectoryError>, Never>)
        case ready(Certificate, expires: ContinuousClock.Instant)
    }

    public init(client: DirectoryClient, timeToLive: Duration = .seconds(300)) {
        self.client = client
        self.timeToLive = timeToLive
    }

    /// The certificate with this serial, from the cache while it is fresh, else from the directory.
    public func certificate(serial key: CertificateSerial) async throws(DirectoryError) -> Certificate {
        switch entries[key] {
        case .ready(let certificate, let expires) where clock.now < expires:
            return certificate
        case .pending(let task):
            return try await task.value.get()
        case .ready, nil:
            let client = self.client
            let task = Task { () -> Result<Certificate, DirectoryError> in
                do throws(DirectoryError) { return .success(try await client.certificate(serial: key)) } catch { return .failure(error) }
            }
            entries[key] = .pending(task)
            let result = await task.value
            switch result {
            case .success(let certificate): entries[key] = .ready(certificate, expires: clock.now.advanced(by: timeToLive))
            case .failure: entries[key] = nil
            }
            return try result.get()
        }
    }

    /// How many serials are held, fresh or not (for tests and metrics).
    public var count: Int { entries.count }
}
