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
    private let lock = NSLock()
    private var lines: [String] = []
    private var errorText = ""
    private var buffer = Data()

    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : try which(executable))
        name = process.executableURL?.lastPathComponent ?? executable
        process.arguments = arguments
        process.environment = ChildProcesses.environment(environment)
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            self?.lock.withLock {
                guard let self else { return }
                self.buffer.append(data)
                while let newline = self.buffer.firstIndex(of: 0x0A) {
                    self.lines.append(String(decoding: self.buffer[..<newline], as: UTF8.self))
                    self.buffer.removeSubrange(...newline)
                }
            }
        }
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            self?.lock.withLock { self?.errorText += String(decoding: data, as: UTF8.self) }
        }
        try ChildProcesses.launch(process)
    }

    deinit {
        if process.isRunning { process.interrupt(); kill(process.processIdentifier, SIGKILL) }
        output.fileHandleForReading.readabilityHandler = nil
        errors.fileHandleForReading.readabilityHandler = nil
    }

    public var stdoutLines: [String] { lock.withLock { lines } }
    public var stderr: String { lock.withLock { errorText } }

    /// The first output line containing `text`, waiting up to `timeout` seconds for it.
    public func waitForLine(containing text: String, timeout: Double = 10) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = stdoutLines.first(where: { $0.contains(text) }) { return line }
            if !process.isRunning { break }
            usleep(20_000)
        }
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

    /// Sends SIGTERM and waits for the exit; returns the exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        usleep(50_000)  // let the last output arrive
        return process.terminationStatus
    }
}
