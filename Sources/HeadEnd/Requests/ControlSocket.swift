#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import Transport

/// The control endpoint's Unix domain socket: who may connect is who may write to the socket file, so it is made
/// with the daemon's user as owner, the configured group and mode (0660 by default: the daemon's user and the
/// operators' group), and never with access for every user of the host.
///
/// The socket is bound under a umask that leaves only its owner in, and then given its group and mode: there is no
/// moment at which it is open to more users than configured.
public enum ControlSocket {
    /// The longest path a Unix socket may have (`sun_path` is 108 bytes with its terminating zero on Linux).
    public static let maximumPathLength = 107

    /// Listens on `path` and serves `handler`; `group` nil keeps the daemon's own group.
    public static func listen(path: String, group: UInt32?, mode: UInt16, logger: Logger,
                              handler: @escaping HTTPServer.Handler) async throws(ControlSocketError) -> HTTPServer {
        guard path.utf8.count <= maximumPathLength else { throw .pathTooLong(path: path) }
        let previous = umask(0o177)
        let server: HTTPServer
        do {
            server = try await HTTPServer(name: "control", at: .unixSocket(path: path), tls: nil, logger: logger, handler: handler)
        } catch {
            umask(previous)
            guard case .cannotListen(_, _, let reason) = error else { throw .cannotListen(path: path, reason: "\(error)") }
            throw .cannotListen(path: path, reason: reason)
        }
        umask(previous)
        if let group, chown(path, uid_t.max, gid_t(group)) != 0 {
            let reason = String(cString: strerror(errno))
            await server.stop()
            throw .cannotSetGroup(path: path, group: group, reason: reason)
        }
        guard chmod(path, mode_t(mode)) == 0 else {
            let reason = String(cString: strerror(errno))
            await server.stop()
            throw .cannotSetMode(path: path, reason: reason)
        }
        return server
    }

    /// The id of the group named `name` (or given as a number).
    public static func groupID(_ name: String) -> UInt32? {
        if let number = UInt32(name) { return number }
        guard let entry = getgrnam(name) else { return nil }
        return UInt32(entry.pointee.gr_gid)
    }

    /// `mode` as written in a setting: octal, `0660` or `660`.
    public static func mode(_ text: String) -> UInt16? {
        let digits = text.hasPrefix("0o") ? String(text.dropFirst(2)) : text
        guard !digits.isEmpty, digits.count <= 4, let value = UInt16(digits, radix: 8), value <= 0o777 else { return nil }
        return value
    }
}

/// Why the control socket could not be opened, in one line naming the path and the setting to change.
public enum ControlSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    case pathTooLong(path: String)
    case cannotListen(path: String, reason: String)
    case cannotSetGroup(path: String, group: UInt32, reason: String)
    case cannotSetMode(path: String, reason: String)

    public var description: String {
        switch self {
        case .pathTooLong(let path):
            "control.socket \(path) is \(path.utf8.count) bytes; a Unix socket path may have at most \(ControlSocket.maximumPathLength): choose a shorter one"
        case .cannotListen(let path, let reason):
            "control.socket \(path): \(reason); check that its directory exists and is writable by headend"
        case .cannotSetGroup(let path, let group, let reason):
            "control.group: cannot give \(path) group \(group) (\(reason)); headend must run as root or be a member of that group"
        case .cannotSetMode(let path, let reason):
            "control.mode: cannot change the mode of \(path) (\(reason))"
        }
    }
}
