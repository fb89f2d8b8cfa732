import ArgumentParser
import ConfigFiles
import DaemonRuntime
import Foundation
import HeadEnd
import Logging
import PKCS11

@main
struct HeadEndCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "headend",
        abstract: "The head-end: accepts gateways over mutual TLS, verifies every signed reading, stores it and acknowledges it.",
        discussion: """
            `headend --config Config/headend.yaml` runs the daemon (serve). PINs come from GATEWAY_PIN or the URIs' \
            pin-source, never from the configuration. Logs go to standard error; standard output has only the lines \
            scripts wait for. SIGTERM or SIGINT closes the listener, lets frames in flight finish, and exits 0.
            """,
        version: ProductVersion.current,
        subcommands: [Serve.self, Readings.self, Summary.self, Export.self, Request.self],
        defaultSubcommand: Serve.self
    )
}

/// Runs `body`, printing any error as one line on standard error and exiting 1.
func oneLineErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        FileHandle.standardError.write(Data("headend: \(error)\n".utf8))
        Module.finalizeAll()
        throw ExitCode(1)
    }
    Module.finalizeAll()
}
