import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether the gatewayd that wrote a status file still runs, told from the file and the process table rather than
/// from the file's age alone: a gatewayd that cannot write its file (a full disk) still runs, and an operator told
/// "not running" would restart a daemon that is working, or miss that its disk is full.
public enum DaemonLiveness: Sendable, Equatable {
    /// The file is fresh and its process lives.
    case running
    /// The process that wrote the file lives, but the file has not been written since `since`; `cause` is why a
    /// write fails now, as far as a look at its directory tells.
    case stale(since: Date, cause: String)
    /// The daemon said it stopped, or its process is gone (or the pid is another process's now).
    case notRunning

    /// How old a status file may be while the daemon writes it every second.
    public static let freshness: TimeInterval = 10

    public static func assess(_ status: GatewayStatus, path: String, now: Date = Date()) -> DaemonLiveness {
        guard status.uplink != .stopped, processLives(status.pid, startedBy: status.startedAt) else { return .notRunning }
        guard now.timeIntervalSince(status.updatedAt) >= freshness else { return .running }
        return .stale(since: status.updatedAt, cause: writeFailure(besides: path) ?? "a file can be written there now; gatewayd's log says why its writes failed")
    }

    /// `pid` is alive and is the process that started at `startedAt` (Linux: its start time from /proc is not later),
    /// not another one that got the pid after a restart.
    static func processLives(_ pid: Int32, startedBy startedAt: Date) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let started = processStart(pid) else { return true }
        return started <= startedAt.addingTimeInterval(2)
    }

    /// When a process started, from /proc/PID/stat (field 22, clock ticks since boot) and /proc/stat's `btime`.
    static func processStart(_ pid: Int32) -> Date? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: field 3 (state) is fields[0], so field 22 is fields[19].
        guard fields.count > 19, let ticks = Double(fields[19]),
              let boot = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = boot.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
              let btime = Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) else { return nil }
        let hertz = Double(sysconf(Int32(_SC_CLK_TCK)))
        return Date(timeIntervalSince1970: btime + ticks / (hertz > 0 ? hertz : 100))
    }

    /// Why a file cannot be written beside `path` now (no space, no permission), by trying: nil when it can.
    static func writeFailure(besides path: String) -> String? {
        let probe = path + ".probe-\(getpid()).tmp"
        defer { unlink(probe) }
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { return "\(String(cString: strerror(errno))) in \((path as NSString).deletingLastPathComponent)" }
        defer { close(descriptor) }
        let page = [UInt8](repeating: 0x20, count: 4096)
        let wrote = page.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        if wrote != page.count { return "\(String(cString: strerror(wrote < 0 ? errno : ENOSPC))) in \((path as NSString).deletingLastPathComponent)" }
        return nil
    }
}
