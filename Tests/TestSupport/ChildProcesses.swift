import Foundation
internal import Subprocess
internal import SystemPackage

/// How every process a test runs is started: through swift-subprocess, so that it dies with the test process
/// however that process ends, and obeys the signals a test sends it.
///
/// A crashed or killed test runs no deinit and no atexit handler, so `pkid`, the simulator or a Modbus server
/// it started would keep running and keep their ports. On Linux each child therefore starts through
/// util-linux's `setpriv --pdeathsig KILL`, which sets PR_SET_PDEATHSIG and then execs the program (same pid):
/// the kernel sends the child SIGKILL when its parent goes. swift-subprocess offers no hook to call prctl in the
/// child itself.
///
/// The kernel's "parent" here is the thread that spawned the child, not the process (prctl(2)): a child spawned
/// from a Swift concurrency or Dispatch worker would be killed as soon as that worker thread retires, in the
/// middle of a test. swift-subprocess 1.0.2 spawns every child (posix_spawn or its fork/exec fallback) on one
/// worker thread of its own (`runOnBackgroundThread` in its Thread.swift), created once and ended only by its
/// atexit handler, so the child's parent thread lives as long as the test process.
///
/// A child inherits its spawning thread's signal mask, and the threads Swift and Dispatch run tests on block
/// SIGTERM, SIGINT, SIGHUP and more: a child spawned with that mask would ignore `stop()`'s SIGTERM. swift-subprocess
/// empties the child's mask and resets its signal dispositions on both of its spawn paths, whatever the spawning
/// thread blocks. TestCleanupTests holds both facts.
public enum ChildProcesses {
    /// The environment for a child: this process's, with the additions on top. Swift's crash backtracer would
    /// keep a crashed child's pipes open and stall the test, so a crash shows as a failed status instead;
    /// TMPDIR points into this run's directory, so whatever the child leaves behind goes with it.
    public static func environment(_ additions: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment
            .merging(["SWIFT_BACKTRACE": "enable=no", "TMPDIR": TestRunDirectory.root.path]) { $1 }
            .merging(additions) { $1 }
    }

    /// How to start `executable` (a path, or a name on PATH) with `arguments` and the environment additions:
    /// through setpriv on Linux (see above).
    static func configuration(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> Configuration {
        var path = executable.hasPrefix("/") ? executable : try which(executable)
        var arguments = arguments
        #if os(Linux)
        guard FileManager.default.isExecutableFile(atPath: setpriv) else {
            throw TestSetupError("\(setpriv) (util-linux) is missing, so test children could outlive a crashed test; install util-linux")
        }
        arguments = ["--pdeathsig", "KILL", "--", path] + arguments
        path = setpriv
        #endif
        // "NAME=value\0" entries (swift-subprocess strdup()s each, so each carries its terminator): Environment.Key has
        // no public initializer from a run-time string.
        let entries = Self.environment(environment).map { Array("\($0.key)=\($0.value)\0".utf8) }
        return Configuration(executable: .path(FilePath(path)), arguments: Arguments(arguments), environment: .custom(entries))
    }

    /// Where the tasks that run children and read their output prefer to run: a concurrent dispatch queue of their
    /// own, so that a child's lines and its end reach the test however busy the cooperative pool (two threads on two
    /// cores) is with the tests and the servers they run in process, and the children of tests that run in
    /// parallel do not queue behind one another.
    static let executor = DedicatedExecutor(label: "child processes", attributes: .concurrent)

    static let setpriv = "/usr/bin/setpriv"
}
