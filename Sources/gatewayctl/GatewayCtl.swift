import ArgumentParser
import ConfigFiles
import Foundation
import PKCS11

@main
struct GatewayCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatewayctl",
        abstract: "Administer the secure metering gateway: tokens and keys, the meter, and benchmarks.",
        version: ProductVersion.current,
        subcommands: [TokenCommand.self, CACommand.self, RACommand.self, EnrollCommand.self, MeterCommand.self, RecordCommand.self, VerifyCommand.self, COSEMCommand.self, StatusCommand.self, BenchCommand.self, DevCommand.self]
    )

    /// Errors a user caused print as one line naming the cause and the fix, with no usage text after them.
    /// Everything ArgumentParser owns keeps its usual form: help and `--version` on stdout with status 0
    /// (`--help` comes back from parsing as a command whose run() throws, a bare `gatewayctl` as the root's
    /// run() throwing CleanExit), usage mistakes on stderr with the usage and status 64.
    /// PKCS#11 modules are finalized before every exit: SoftHSM crashes in its exit-time destructors otherwise.
    static func main() async {
        let status: Int32
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            status = 0
        } catch {
            status = report(error)
        }
        Module.finalizeAll()
        Foundation.exit(status)
    }

    /// Prints `error` where its reader expects it and returns the exit status.
    ///
    /// ArgumentParser gives any error it does not know status 1 and prints it as "Error: ..."; those are the
    /// project's own errors (every module's errors describe themselves in one line with cause and fix), so
    /// they get the program's name in front instead. An `ExitCode` a command throws has already said its piece.
    static func report(_ error: Error) -> Int32 {
        let code = exitCode(for: error)
        if code == .failure && !(error is ExitCode) {
            FileHandle.standardError.write(Data("gatewayctl: \(message(for: error))\n".utf8))
            return code.rawValue
        }
        let text = fullMessage(for: error)
        if !text.isEmpty {
            (code.isSuccess ? FileHandle.standardOutput : FileHandle.standardError).write(Data((text + "\n").utf8))
        }
        return code.rawValue
    }
}

/// A mistake in what the user asked for that no module reports: a missing file, a bad combination of options.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
