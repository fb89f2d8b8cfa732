import ArgumentParser
import Foundation
import Modbus
import PKCS11
import PKI
import PKIService
import Signing

@main
struct GatewayCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatewayctl",
        abstract: "Administer the secure metering gateway: tokens and keys, the meter, and benchmarks.",
        subcommands: [TokenCommand.self, CACommand.self, RACommand.self, EnrollCommand.self, MeterCommand.self, BenchCommand.self]
    )

    /// Errors a user caused print as one line naming the cause and the fix, with no usage text after them.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Module.finalizeAll()
        } catch let error as PKCS11Error {
            fail(error)
        } catch let error as SigningError {
            fail(error)
        } catch let error as CLIError {
            fail(error)
        } catch let error as PKCS11URIError {
            fail(error)
        } catch let error as ModbusError {
            fail(error)
        } catch let error as RegisterMapError {
            fail(error)
        } catch let error as SimulatorError {
            fail(error)
        } catch let error as PKIError {
            fail(error)
        } catch let error as ESTError {
            fail(error)
        } catch {
            Module.finalizeAll()
            exit(withError: error)
        }
    }

    private static func fail(_ error: some CustomStringConvertible) -> Never {
        FileHandle.standardError.write(Data("gatewayctl: \(error)\n".utf8))
        Module.finalizeAll()
        Foundation.exit(1)
    }
}

/// A mistake in what the user asked for that no module reports: a missing file, a bad combination of options.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
