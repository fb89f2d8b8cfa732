import Foundation
import Testing
import TestSupport

/// The tests clean up after themselves, also when a test process is killed: what they started dies with it and
/// what they wrote is swept by the next run. The killed process is a Swift Testing exit test, a child copy of
/// this test binary that starts a simulator through TestSupport and then SIGKILLs itself, so no deinit, defer
/// or atexit handler gets to run.
///
/// Serialized: every exit test's child sweeps the directories of dead runs as it starts, so `normalExit`'s
/// child, started while `killedTestProcess` waits for its simulator to die, swept the killed child's directory
/// before that test could see it there (under the load of the PKI storm tests, most runs).
@Suite("Tests leave no processes and no directories behind", .serialized)
struct TestCleanupTests {
    #if os(Linux)
    @Test("a test process killed with SIGKILL takes the simulator it started with it; its directory is swept")
    func killedTestProcess() async throws {
        let result = try #require(await #expect(processExitsWith: .signal(SIGKILL), observing: [\.standardOutputContent]) {
            let simulator = try await BackgroundProcess(gatewayctlPath, ["meter", "simulate", "--listen", "127.0.0.1:0", "--map", pac3200MapPath])
            _ = try await simulator.waitForPort()
            _ = try temporaryDirectory("doomed")
            print("child \(simulator.processIdentifier)")
            print("root \(TestRunDirectory.root.path)")
            fflush(nil)
            kill(getpid(), SIGKILL)
        })
        let output = String(decoding: result.standardOutputContent, as: UTF8.self)
        let child = try #require(Self.value("child", in: output).flatMap { pid_t($0) }, "\(output)")
        let root = try #require(Self.value("root", in: output), "\(output)")

        let deadline = Date().addingTimeInterval(5)
        while Self.isAlive(child) && Date() < deadline { usleep(20_000) }
        #expect(!Self.isAlive(child), "the simulator (pid \(child)) outlived the test process that started it")

        // Whichever test process starts next sweeps it: this one here, or the child of another suite's exit test
        // that started in the meantime (so the directory may already be gone; that is the sweep working too).
        TestRunDirectory.sweepStale()
        #expect(!FileManager.default.fileExists(atPath: root), "a dead run's directory survived the sweep")
        #expect(FileManager.default.fileExists(atPath: TestRunDirectory.root.path), "the sweep removed this live run's directory")
    }

    @Test("a test process that exits normally removes its directory itself")
    func normalExit() async throws {
        let result = try #require(await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            _ = try temporaryDirectory("finished")
            print("root \(TestRunDirectory.root.path)")
            fflush(nil)
            exit(0)
        })
        let root = try #require(Self.value("root", in: String(decoding: result.standardOutputContent, as: UTF8.self)))
        #expect(!FileManager.default.fileExists(atPath: root))
    }

    /// PR_SET_PDEATHSIG fires when the spawning *thread* ends; a child asked for from a short-lived thread must
    /// live on, which is why TestSupport leaves the spawn to swift-subprocess's own thread, which lives as long as
    /// the process (see `ChildProcesses`). The thread here waits for the child's first line, so the child has set
    /// its death signal before the thread ends. The child must also still obey SIGTERM, which a signal mask
    /// inherited from a test thread would block.
    @Test("a child started from a thread that then ends keeps running, and stops on SIGTERM")
    func childOutlivesSpawningThread() async throws {
        let sleeper: BackgroundProcess = try await withCheckedThrowingContinuation { continuation in
            Thread {
                let done = DispatchSemaphore(value: 0)
                Task {
                    do {
                        let child = try await BackgroundProcess("/bin/sh", ["-c", "echo ready; exec sleep 30"])
                        _ = try await child.waitForLine(containing: "ready")
                        continuation.resume(returning: child)
                    } catch {
                        continuation.resume(throwing: error)
                    }
                    done.signal()
                }
                done.wait()
            }.start()
        }
        try await Task.sleep(for: .milliseconds(500))  // the thread has long ended
        #expect(Self.isAlive(sleeper.processIdentifier), "the child died with the thread that started it")
        #expect(await sleeper.stop() == SIGTERM)
        #expect(sleeper.endedBySignal)
    }
    #endif

    @Test("a fixture's directory and a scratch directory are gone once released; both live under this run's directory")
    func releasedFixtures() async throws {
        var hsm: SoftHSMFixture? = try SoftHSMFixture()
        let hsmPath = try #require(hsm?.directory.path)
        try await hsm?.createToken("cleanup")
        #expect(FileManager.default.fileExists(atPath: hsmPath + "/softhsm2.conf"))
        #expect(hsmPath.hasPrefix(TestRunDirectory.root.path + "/"))
        hsm = nil
        #expect(!FileManager.default.fileExists(atPath: hsmPath))

        var scratch: ScratchDirectory? = try ScratchDirectory("cleanup")
        let scratchPath = try #require(scratch?.url.path)
        FileManager.default.createFile(atPath: try #require(scratch?.path("file")), contents: Data("x".utf8))
        #expect(scratchPath.hasPrefix(TestRunDirectory.root.path + "/"))
        scratch = nil
        #expect(!FileManager.default.fileExists(atPath: scratchPath))
    }

    static func value(_ key: String, in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix(key + " ") }.map { String($0.dropFirst(key.count + 1)) }
    }

    /// Alive, or a zombie nobody has reaped yet (this container's init may not reap): a zombie runs nothing.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let state = stat.split(separator: ")").last?.split(separator: " ").first else { return false }
        return state != "Z" && state != "X"
    }
}
