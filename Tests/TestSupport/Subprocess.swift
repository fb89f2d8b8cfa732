import Foundation

/// What a command printed and how it ended.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: String
    public var output: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs a program to completion with the given environment additions, closing its stdin. The program dies
/// with the test process (see `ChildProcesses`).
public func run(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil
) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : try which(executable))
    process.arguments = arguments
    process.environment = ChildProcesses.environment(environment)
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try ChildProcesses.launch(process)
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    // Read both pipes to the end before waiting, so a chatty process cannot block on a full pipe.
    let output = ProcessOutput()
    let readers = [
        PipeReader(out.fileHandleForReading) { output.append(stdout: $0) },
        PipeReader(err.fileHandleForReading) { output.append(stderr: $0) },
    ]
    for reader in readers { reader.waitForEnd() }
    process.waitUntilExit()
    let (outputData, errorData) = output.both
    return ProcessResult(status: process.terminationStatus, stdout: outputData, stderr: String(decoding: errorData, as: UTF8.self))
}

/// The path of a program on PATH.
public func which(_ name: String) throws -> String {
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    for directory in ["/usr/sbin", "/sbin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
        return "\(directory)/\(name)"
    }
    throw TestSetupError("\(name) is not installed; run `make deps`")
}

/// The two pipes' bytes of a child, as its readers deliver them.
private final class ProcessOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var stdout = Data()
    private var stderr = Data()
    func append(stdout data: Data) { lock.withLock { stdout.append(data) } }
    func append(stderr data: Data) { lock.withLock { stderr.append(data) } }
    var both: (Data, Data) { lock.withLock { (stdout, stderr) } }
}

final class ThreadSafeBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The directory the test binary was built into, where `gatewayctl` is too.
public var productsDirectory: URL {
    URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
}

/// The freshly built `gatewayctl` (GATEWAYCTL overrides it).
public var gatewayctlPath: String {
    ProcessInfo.processInfo.environment["GATEWAYCTL"] ?? productsDirectory.appendingPathComponent("gatewayctl").path
}

/// The freshly built `pkid`, next to `gatewayctl`.
public var pkidPath: String {
    URL(fileURLWithPath: gatewayctlPath).deletingLastPathComponent().appendingPathComponent("pkid").path
}

/// The repository's root, found from this source file's place in it.
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The PAC3200 register map the project ships.
public var pac3200MapPath: String { repositoryRoot.appendingPathComponent("Config/pac3200.yaml").path }

/// The freshly built `gatewayd`, next to `gatewayctl`.
public var gatewaydPath: String {
    URL(fileURLWithPath: gatewayctlPath).deletingLastPathComponent().appendingPathComponent("gatewayd").path
}

/// The freshly built `headend`, next to `gatewayctl`.
public var headendPath: String {
    URL(fileURLWithPath: gatewayctlPath).deletingLastPathComponent().appendingPathComponent("headend").path
}
