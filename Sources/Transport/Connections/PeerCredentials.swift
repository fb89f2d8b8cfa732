#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// Who is at the other end of a Unix domain socket, as the kernel vouches for it (SO_PEERCRED): the process id and
/// the user and group it ran as when it connected. Nothing the client sends can change it, which is why a local
/// control endpoint can name its callers in an audit log and limit them per user.
public struct PeerCredentials: Sendable, Hashable, CustomStringConvertible {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    public var description: String { "uid \(uid) gid \(gid) pid \(pid)" }

    /// The credentials of `channel`'s peer; nil for a TCP connection, which carries none.
    static func of(_ channel: any Channel) async -> PeerCredentials? {
        #if os(Linux)
        guard case .unixDomainSocket = channel.localAddress, let provider = channel as? any SocketOptionProvider else { return nil }
        // `struct ucred` as Linux lays it out: pid_t, uid_t, gid_t.
        guard let raw: UCred = try? await provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET),
                                                                          name: SocketOptionName(SO_PEERCRED)).get() else { return nil }
        return PeerCredentials(pid: raw.pid, uid: raw.uid, gid: raw.gid)
        #else
        return nil
        #endif
    }

    private struct UCred: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }
}
