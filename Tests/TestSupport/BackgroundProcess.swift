import Foundation
internal import Subprocess

/// A server a test starts (the simulator, a daemon, a reference Modbus server), whose output lines a test waits for
/// as they arrive, and always stopped: `stop()` sends SIGTERM and awaits the end, the deinit kills it if a test
/// forgot or threw first, and the kernel kills it if the test process dies first (see `ChildProcesses`).
///
/// A task runs it through swift-subprocess, which reads its pipes and watches its exit on threads of its own (epoll
/// and a pidfd; no Dispatch readability handlers); the task keeps each standard output line and the standard error
/// text in `ChildOutput`. Every wait suspends, so a test waiting for a daemon holds none of the cooperative pool's
/// threads while the daemon, or a server in the test process, needs them. A test that keeps the process to its end
/// says so with `await process.stop()` there: Swift may release an object after its last use, and the deinit
/// would kill the process then.
public final class BackgroundProcess: Sendable {
    /// The program's name for messages.
    public let name: String
    /// The child's pid (setpriv execs the program, so it is the program's).
    public let processIdentifier: Int32
    private let output: ChildOutput

    /// Starts `executable` (a path, or a name on PATH) and returns once it runs.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws {
        let name = URL(fileURLWithPath: executable).lastPathComponent
        let configuration = try ChildProcesses.configuration(executable, arguments, environment: environment)
        let output = ChildOutput()
        // Not a child task: the process outlives this call, and a test's cancellation must not end its reading.
        Task.detached(executorPreference: ChildProcesses.executor) { await Self.run(configuration, into: output) }
        let started = await output.wait(timeout: nil) { $0.processIdentifier != nil || $0.hasEnded }
        guard let processIdentifier = started.processIdentifier else {
            throw TestSetupError("\(name) did not start: \(started.failure ?? "no reason given")")
        }
        self.name = name
        self.output = output
        self.processIdentifier = processIdentifier
    }

    deinit {
        send(SIGKILL)
    }

    /// Runs the child to its end, its lines and errors into `output` as they come.
    private static func run(_ configuration: Configuration, into output: ChildOutput) async {
        do {
            let result = try await Subprocess.run(configuration, input: .none, output: .sequence, error: .sequence) { execution in
                output.update { $0.processIdentifier = execution.processIdentifier.value }
                // swift-subprocess ends the reads when the child exits while something it started still holds a
                // pipe; what was read is kept, and the exit status below still comes.
                do {
                    async let errors: Void = {
                        for try await chunk in execution.standardError {
                            let text = chunk.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
                            output.update { $0.errors += text }
                        }
                    }()
                    // No line-length limit: a line past one would end the reading, and the child would then block on a full pipe.
                    for try await line in execution.standardOutput.strings(bufferingPolicy: .unbounded) {
                        output.update { $0.lines.append(line) }
                    }
                    try await errors
                } catch {
                    output.update { $0.failure = "its output was cut short: \(error)" }
                }
            }
            output.update {
                switch result.terminationStatus {
                case .exited(let code): $0.status = code
                case .signaled(let signal): $0.status = signal; $0.endedBySignal = true
                }
            }
        } catch {
            output.update { $0.failure = "\(error)"; $0.status = $0.status ?? -1 }
        }
    }

    public var stdoutLines: [String] { output.current.lines }
    public var stderr: String { output.current.errors }
    public var isRunning: Bool { !output.current.hasEnded }
    /// Whether a signal ended it (`stop()` then returned the signal's number).
    public var endedBySignal: Bool { output.current.endedBySignal }

    // MARK: Waiting for output

    /// The first output line containing `text`, once it is there; throws when the process ends without it or
    /// `timeout` seconds pass first.
    public func waitForLine(containing text: String, timeout: Double = 10) async throws -> String {
        let seen = await output.wait(timeout: .seconds(timeout)) { Self.line(containing: text, in: $0) != nil || $0.hasEnded }
        if let line = Self.line(containing: text, in: seen) { return line }
        let ended = seen.status.map { " (it ended with status \($0))" } ?? " within \(timeout) s"
        throw TestSetupError("\(name) never printed \"\(text)\"\(ended); stdout: \(seen.lines), stderr: \(seen.errors)")
    }

    /// The port in a line like `listening on 127.0.0.1:PORT ...`.
    public func waitForPort(timeout: Double = 10) async throws -> Int {
        try Self.port(in: try await waitForLine(containing: "listening on", timeout: timeout))
    }

    /// The ports of the first `count` lines like `listening on 127.0.0.1:PORT ...`, in the order printed (a
    /// simulator serving several meters prints one such line per meter).
    public func waitForPorts(count: Int, timeout: Duration = .seconds(10)) async throws -> [Int] {
        guard await waitForLines(where: { $0.contains("listening on") }, count: count, timeout: timeout) else {
            throw TestSetupError("\(name) did not print \(count) \"listening on\" lines; stdout: \(stdoutLines), stderr: \(stderr)")
        }
        return try stdoutLines.filter { $0.contains("listening on") }.prefix(count).map(Self.port(in:))
    }

    private static func port(in line: String) throws -> Int {
        let address = line.components(separatedBy: "listening on ")[1].split(separator: " ")[0]
        guard let port = address.split(separator: ":").last.flatMap({ Int($0) }) else {
            throw TestSetupError("no port in \"\(line)\"")
        }
        return port
    }

    /// Whether `count` output lines satisfy `matches` before the process ends or `timeout` passes.
    public func waitForLines(where matches: @escaping @Sendable (String) -> Bool, count: Int, timeout: Duration) async -> Bool {
        await output.wait(timeout: timeout) { $0.lines.count(where: matches) >= count || $0.hasEnded }.lines.count(where: matches) >= count
    }

    /// Whether its standard error (a daemon's log) satisfies `matches` within `timeout` seconds, or by its end. A test
    /// that saw an effect elsewhere (a status file, a CLI's answer, a delivery) waits here for the line the daemon logs
    /// with it: that line may still be on its way through the pipe.
    public func waitForStderr(timeout: Double = 10, until matches: @escaping @Sendable (String) -> Bool) async -> Bool {
        matches(await output.wait(timeout: .seconds(timeout)) { matches($0.errors) || $0.hasEnded }.errors)
    }

    private static func line(containing text: String, in snapshot: ChildOutput.Snapshot) -> String? {
        snapshot.lines.first { $0.contains(text) }
    }

    // MARK: Stopping

    /// Sends `signal` (SIGTERM by default), awaits the end (SIGKILL after 5 s), and returns the exit status, or the
    /// signal's number when a signal ended it. All its output has been read by then.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) async -> Int32 {
        send(signal)
        if let status = await output.wait(timeout: .seconds(5), until: { $0.hasEnded }).status { return status }
        send(SIGKILL)
        return await output.wait(timeout: nil) { $0.hasEnded }.status ?? -1
    }

    /// Sends `signal` unless the child has ended (its pid may name another process by then). Between swift-subprocess
    /// reaping the child and the end being recorded here there is a moment when the pid is free; another process would
    /// need it, after the kernel's pid counter wrapped all the way round, within that moment.
    func send(_ signal: Int32) {
        output.withCurrent { snapshot in
            if !snapshot.hasEnded { kill(processIdentifier, signal) }
        }
    }
}
