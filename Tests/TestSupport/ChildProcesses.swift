import Foundation

/// Starts every process a test runs so that it dies with the test process, however that process ends.
///
/// A crashed or killed test runs no deinit and no atexit handler, so `pkid`, the simulator or a Modbus server
/// it started would keep running and keep their ports. On Linux each child therefore starts through
/// util-linux's `setpriv --pdeathsig KILL`, which sets PR_SET_PDEATHSIG and then execs the program (same pid):
/// the kernel sends the child SIGKILL when its parent goes. Foundation's Process offers no hook to call prctl in
/// the child itself, and it puts each child in a process group of its own, so not even a Ctrl-C on the test
/// run reaches it.
///
/// The kernel's "parent" here is the thread that spawned the child, not the process (prctl(2)). A child
/// started from a Swift concurrency or Dispatch worker would be killed as soon as that worker thread retires,
/// in the middle of a test. So every child is spawned from one thread that lives as long as the process.
public enum ChildProcesses {
    /// Starts `process` (its executable and arguments as the caller set them) from the launcher thread.
    public static func launch(_ process: Process) throws {
        #if os(Linux)
        guard let executable = process.executableURL else { throw TestSetupError("no executable to launch") }
        guard FileManager.default.isExecutableFile(atPath: setpriv) else {
            throw TestSetupError("\(setpriv) (util-linux) is missing, so test children could outlive a crashed test; install util-linux")
        }
        process.arguments = ["--pdeathsig", "KILL", "--", executable.path] + (process.arguments ?? [])
        process.executableURL = URL(fileURLWithPath: setpriv)
        #endif
        try launcher.perform { try process.run() }
    }

    /// The environment for a child: this process's, with the additions on top. Swift's crash backtracer would
    /// keep a crashed child's pipes open and stall the test, so a crash shows as a failed status instead;
    /// TMPDIR points into this run's directory, so whatever the child leaves behind goes with it.
    public static func environment(_ additions: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment
            .merging(["SWIFT_BACKTRACE": "enable=no", "TMPDIR": TestRunDirectory.root.path]) { $1 }
            .merging(additions) { $1 }
    }

    static let setpriv = "/usr/bin/setpriv"
    private static let launcher = LauncherThread()
}

/// One thread that never exits and runs the spawns handed to it, one at a time.
private final class LauncherThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    init() {
        let thread = Thread { [self] in serve() }
        thread.name = "TestSupport child launcher"
        thread.start()
    }

    /// A child inherits its spawning thread's signal mask, and Foundation's Process does not reset it. The
    /// threads Swift and Dispatch run tests on block SIGTERM, SIGINT, SIGHUP and more, so a child spawned from
    /// one would ignore `stop()`'s SIGTERM (a python server or `sleep` then only dies by SIGKILL five seconds
    /// later). This thread blocks nothing, and neither do the children it spawns.
    private func serve() -> Never {
        var nothing = sigset_t()
        sigemptyset(&nothing)
        pthread_sigmask(SIG_SETMASK, &nothing, nil)
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }

    /// Runs `body` on the launcher thread and waits for it. (`body` escapes: the launcher thread lets go of
    /// it only after this call has returned.)
    func perform(_ body: @escaping () throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        let failure = ThreadSafeBox<Error?>(nil)
        condition.lock()
        jobs.append {
            do { try body() } catch { failure.value = error }
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        if let error = failure.value { throw error }
    }
}
