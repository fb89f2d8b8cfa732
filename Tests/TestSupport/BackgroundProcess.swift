import Foundation

/// A server a test starts (the simulator, a reference Modbus server), read line by line until it says it is
/// ready, and always stopped: `stop()` sends SIGTERM, the deinit kills it if a test forgot, and the kernel kills
/// it if the test process dies first (see `ChildProcesses`).
public final class BackgroundProcess: @unchecked Sendable {
    public let process = Process()
    /// The program's name for messages (the process's executable is the launcher on Linux).
    public let name: String
    private let output = Pipe()
    private let errors = Pipe()
    /// Guards the lines and the error text, and wakes `waitForLine` when a line arrives or the process ends.
    private let condition = NSCondition()
    private var lines: [String] = []
    private var errorText = ""
    private var buffer = Data()
    private var exited = false
    private var outputEnded = false
    private var readers: [PipeReader] = []

    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : try which(executable))
        name = process.executableURL?.lastPathComponent ?? executable
        process.arguments = arguments
        process.environment = ChildProcesses.environment(environment)
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { [weak self] _ in
            guard let self else { return }
            self.condition.withLock { self.exited = true; self.condition.broadcast() }
        }
        try ChildProcesses.launch(process)
        // Started after the launch: the parent's copies of the write ends are closed by then, so EOF means the child's are.
        readers = [
            PipeReader(output.fileHandleForReading, received: { [weak self] data in self?.receivedOutput(data) }, finished: { [weak self] in
                guard let self else { return }
                self.condition.withLock { self.outputEnded = true; self.condition.broadcast() }
            }),
            PipeReader(errors.fileHandleForReading) { [weak self] data in
                guard let self else { return }
                self.condition.withLock { self.errorText += String(decoding: data, as: UTF8.self) }
            },
        ]
    }

    deinit {
        if process.isRunning { process.interrupt(); kill(process.processIdentifier, SIGKILL) }
    }

    private func receivedOutput(_ data: Data) {
        condition.withLock {
            buffer.append(data)
            while let newline = buffer.firstIndex(of: 0x0A) {
                lines.append(String(decoding: buffer[..<newline], as: UTF8.self))
                buffer.removeSubrange(...newline)
            }
            condition.broadcast()
        }
    }

    public var stdoutLines: [String] { condition.withLock { lines } }
    public var stderr: String { condition.withLock { errorText } }

    /// The first output line containing `text`, waiting up to `timeout` seconds for it: woken by each new line and by
    /// the end of the output (the process exited and its last line is in), never by a clock.
    public func waitForLine(containing text: String, timeout: Double = 10) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        let found: String? = condition.withLock {
            while true {
                if let line = lines.first(where: { $0.contains(text) }) { return line }
                if outputEnded || !condition.wait(until: deadline) { return lines.first { $0.contains(text) } }
            }
        }
        if let found { return found }
        throw TestSetupError("\(name) never printed \"\(text)\"; stdout: \(stdoutLines), stderr: \(stderr)")
    }

    /// The port in a line like `listening on 127.0.0.1:PORT ...`.
    public func waitForPort(timeout: Double = 10) throws -> Int {
        let line = try waitForLine(containing: "listening on", timeout: timeout)
        let address = line.components(separatedBy: "listening on ")[1].split(separator: " ")[0]
        guard let port = address.split(separator: ":").last.flatMap({ Int($0) }) else {
            throw TestSetupError("no port in \"\(line)\"")
        }
        return port
    }

    /// Sends SIGTERM and waits for the exit (SIGKILL after 5 s), then for the last output; returns the exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = Date().addingTimeInterval(5)
        let stopped = condition.withLock {
            while !exited { if !condition.wait(until: deadline) { break } }
            return exited
        }
        if !stopped { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        // A grandchild still holding a pipe would keep it open forever: its output is not waited for past 2 s.
        let outputDeadline = Date().addingTimeInterval(2)
        for reader in readers { reader.waitForEnd(until: outputDeadline) }
        return process.terminationStatus
    }
}
