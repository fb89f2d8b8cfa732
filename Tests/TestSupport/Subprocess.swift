import Foundation
internal import Subprocess

/// What a command printed and how it ended.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: String
    public var output: String { String(decoding: stdout, as: UTF8.self) }
}

/// The most a `run` keeps of each of a program's two outputs, 64 MiB: far above anything a test reads (the largest,
/// a directory listing or a PEM chain, is kilobytes), so a test sees all of it; past it the call throws.
let runOutputLimit = 64 << 20

/// Runs a program to completion with the given environment additions and `stdin` (none: end of file at once),
/// suspending until it ends and both outputs are read. The program dies with the test process (see
/// `ChildProcesses`). A signal that ends it shows as its number in `status`.
public func run(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil
) async throws -> ProcessResult {
    let configuration = try ChildProcesses.configuration(executable, arguments, environment: environment)
    let output = DataOutput.data(limit: runOutputLimit)
    let result = try await withTaskExecutorPreference(ChildProcesses.executor) {
        if let stdin {
            try await Subprocess.run(configuration, input: .data(stdin), output: output, error: output)
        } else {
            try await Subprocess.run(configuration, input: .none, output: output, error: output)
        }
    }
    let status: Int32 = switch result.terminationStatus {
    case .exited(let code): code
    case .signaled(let signal): signal
    }
    return ProcessResult(status: status, stdout: result.standardOutput, stderr: String(decoding: result.standardError, as: UTF8.self))
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
