import ArgumentParser
import DaemonRuntime
import Foundation
import VirtualCard

/// Runs the card in vpcd's reader until SIGTERM or SIGINT.
struct VirtualCardRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Insert the card into vpcd's reader and answer it until SIGINT or SIGTERM (the default subcommand).",
        discussion: """
            Prints `virtual-card: inserted into vpcd at HOST:PORT (state DIR)` once pcscd sees the card, and a line on \
            every removal (pcscd stopped) and reinsertion; it reconnects every 200 ms. TEST INSTRUMENT: its keys are \
            plain files.
            """
    )

    @Option(help: ArgumentHelp("vpcd's reader address (host:port; the first reader is port 35963).", valueName: "host:port"))
    var vpcd: String = "127.0.0.1:35963"

    @OptionGroup var state: VirtualCardStateOption
    @OptionGroup var pin: VirtualCardPINOption

    @Option(name: .customLong("sign-delay-ms"), help: "Sleep this long in every signature, as a real card's 50-500 ms.")
    var signDelayMilliseconds: Int = 0

    func run() async throws {
        let (host, port) = try splitHostPort(vpcd)
        guard (1...65535).contains(port) else { throw CLIError("--vpcd port \(port) is out of range; use e.g. 127.0.0.1:35963") }
        guard signDelayMilliseconds >= 0 else { throw CLIError("--sign-delay-ms must be 0 or more") }
        let card = try PIVCard(store: state.store, pin: try pin.pin(), options: .init(signDelay: .milliseconds(signDelayMilliseconds)))
        let directory = state.directory
        let link = VPCDLink(host: host, port: UInt16(port), card: card) { event in
            let line = switch event {
            case .inserted(let address): "virtual-card: inserted into vpcd at \(address) (state \(directory))"
            case .removed(let address, let reason): "virtual-card: removed from vpcd at \(address): \(reason); reconnecting"
            case .waiting(let address, let reason): "virtual-card: waiting for vpcd at \(address): \(reason); retrying every 200 ms"
            }
            // Straight to the file handle so a test or script reading the pipe sees it at once.
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        link.start()
        let signal = await TerminationSignal.next()
        link.stop()
        FileHandle.standardOutput.write(Data("virtual-card: removed and stopped by \(signal.map { "\($0)" } ?? "end of signals")\n".utf8))
    }
}
