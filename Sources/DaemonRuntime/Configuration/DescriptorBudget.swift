#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Makes sure a daemon's connection limits fit in the file descriptors it may open, before it listens.
///
/// A listener that runs out of descriptors accepts no one, not even the client the connection limit was meant to
/// let through (the security review's pkid, at 20,000 idle connections). So at start the soft RLIMIT_NOFILE is
/// raised to the hard limit (the usual 1,024 soft limit is a select(2)-era default; NIO uses epoll), and a
/// configuration whose listeners could together hold more connections than that refuses to start, with the
/// numbers, instead of failing under load.
public enum DescriptorBudget {
    /// Descriptors kept for what the daemon opens besides connections while it runs: the database, the token's
    /// files, a CRL being written, accepts on top of a full listener while the oldest connection closes.
    public static let reserve = 64

    /// Raises the soft limit and checks `listeners` × `maxConnections` against it; returns the limit in force.
    /// `key` names the setting in the error.
    @discardableResult
    public static func ensure(maxConnections: Int, listeners: Int, key: String = "max_connections") throws(DaemonSettingError) -> Int {
        let limit = raiseSoftLimit()
        let needed = openDescriptors() + listeners * maxConnections + reserve
        guard needed <= limit else {
            throw .tooFewDescriptors(key: key, maxConnections: maxConnections, listeners: listeners, needed: needed, limit: limit)
        }
        return limit
    }

    /// Sets the soft RLIMIT_NOFILE to the hard one; returns the soft limit now in force.
    static func raiseSoftLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE_ID, &limit) == 0 else { return Int.max }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            #if canImport(Darwin)
            // macOS refuses a soft limit above OPEN_MAX for an unlimited hard limit.
            raised.rlim_cur = min(raised.rlim_cur, rlim_t(OPEN_MAX))
            #endif
            if setrlimit(RLIMIT_NOFILE_ID, &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur >= rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
    }

    /// The descriptors this process has open now.
    static func openDescriptors() -> Int {
        for directory in ["/proc/self/fd", "/dev/fd"] {
            if let names = try? FileManager.default.contentsOfDirectory(atPath: directory) { return names.count }
        }
        return 0
    }

    #if canImport(Glibc)
    private static let RLIMIT_NOFILE_ID = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let RLIMIT_NOFILE_ID = RLIMIT_NOFILE
    #endif
}
