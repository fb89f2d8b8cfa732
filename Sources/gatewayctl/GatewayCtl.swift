import ArgumentParser
import Foundation
import PKCS11

@main
struct GatewayCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatewayctl",
        abstract: "Administer the secure metering gateway: tokens and keys, the meter, and benchmarks.",
        subcommands: [TokenCommand.self, CACommand.self, RACommand.self, EnrollCommand.self, MeterCommand.self, RecordCommand.self, VerifyCommand.self, COSEMCommand.self, BenchCommand.self]
    )

    /// Errors a user caused print as one line naming the cause and the fix, with no usage text after them.
    /// Parsing errors go to ArgumentParser, which prints the usage they are about.
    static func main() async {
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Module.finalizeAll()
        } catch let error as ExitCode {
            Module.finalizeAll()
            exit(withError: error)
        } catch let error as ValidationError {
            Module.finalizeAll()
            exit(withError: error)
        } catch {
            // Every error of the project's modules describes itself in one line with cause and fix.
            FileHandle.standardError.write(Data("gatewayctl: \(error)\n".utf8))
            Module.finalizeAll()
            Foundation.exit(1)
        }
    }
}

/// A mistake in what the user asked for that no module reports: a missing file, a bad combination of options.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
