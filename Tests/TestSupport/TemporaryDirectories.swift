import Foundation

/// The one directory under $TMPDIR that holds everything a test process writes: `gateway-tests-<pid>-XXXXXX`.
///
/// Deinits and `defer`s do not run when a test crashes or the process is killed, so they cannot be the only
/// cleanup. Instead the process holds an flock on its root for as long as it lives; the kernel drops that lock
/// however the process ends. The root is removed at a normal exit (atexit), and every test process first
/// sweeps the roots whose lock nobody holds any more: those of earlier runs that died. A lock, not the pid in
/// the name, decides, so a reused pid cannot keep a dead run's files alive or get a live run's files removed.
public enum TestRunDirectory {
    static let prefix = "gateway-tests-"

    /// Made on first use, after sweeping the roots of dead runs.
    public static let root: URL = {
        sweepStale()
        return makeRoot()
    }()

    /// Removes the roots of test processes that are gone; returns their paths.
    @discardableResult
    public static func sweepStale(in parent: URL = FileManager.default.temporaryDirectory) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        var removed: [String] = []
        for name in names where name.hasPrefix(prefix) {
            let path = parent.appendingPathComponent(name).path
            var info = stat()
            // Only real directories of this user: never follow a link someone else planted in /tmp.
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid() else { continue }
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            // Held by a live test process (this one included): leave it.
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { continue }
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
        }
        return removed
    }

    /// Creates the root and locks it for the life of the process. A sweep in another process can remove the
    /// directory between mkdtemp and flock; the lock then lands on an unlinked directory, which is detected
    /// (no links left) and the root made again.
    private static func makeRoot() -> URL {
        let parent = FileManager.default.temporaryDirectory.path
        for _ in 0..<10 {
            var template = Array("\(parent)/\(prefix)\(getpid())-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { break }
            let path = String(cString: made)
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            var info = stat()
            guard flock(fd, LOCK_EX) == 0, fstat(fd, &info) == 0, info.st_nlink > 0 else {
                close(fd)
                continue
            }
            // The descriptor stays open on purpose: closing it would release the lock.
            rootPath = strdup(path)
            atexit {
                if let rootPath = TestRunDirectory.rootPath { try? FileManager.default.removeItem(atPath: String(cString: rootPath)) }
            }
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        fatalError("cannot make a test directory under \(parent): \(String(cString: strerror(errno)))")
    }

    /// For the atexit handler, which cannot capture.
    nonisolated(unsafe) private static var rootPath: UnsafeMutablePointer<CChar>?
}

/// A new directory under this run's root; it lasts until the process ends. For a directory that should go
/// when its user is done with it, use `ScratchDirectory`.
public func temporaryDirectory(_ prefix: String) throws -> URL {
    let url = TestRunDirectory.root.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    return url
}

/// A temporary directory removed when the last reference to it goes: a suite that keeps one in a stored
/// property cleans up after each test, since Swift Testing makes and drops a suite instance per test.
public final class ScratchDirectory: @unchecked Sendable {
    public let url: URL

    public init(_ prefix: String) throws {
        url = try temporaryDirectory(prefix)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// The path of `name` inside the directory.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}
