import ConfigFiles
import Foundation
import Testing
import TestSupport

/// Help, `--version` and usage mistakes as ArgumentParser users expect them, and the project's own errors in
/// their one-line form. The commands are found by walking the SUBCOMMANDS sections the real binaries print,
/// so a new subcommand is checked without anyone editing this file.
@Suite("Help, version and usage errors of gatewayctl, pkid, gatewayd and headend")
struct HelpTests {
    /// A command as a user types it: the executable and the subcommand words.
    struct Command: Sendable, CustomTestStringConvertible {
        var executable: String
        var words: [String]
        var line: String { ([URL(fileURLWithPath: executable).lastPathComponent] + words).joined(separator: " ") }
        var testDescription: String { line }
    }

    /// Every command of both executables. A walk that went wrong (no binary, a changed help layout) finds few
    /// or none, which `walkFindsEveryCommand` catches, since a parameterized test over nothing passes.
    static func allCommands() async throws -> [Command] {
        var commands: [Command] = []
        for executable in [gatewayctlPath, pkidPath, gatewaydPath, headendPath] { commands += try await walk(executable) }
        return commands
    }

    static func walk(_ executable: String, _ words: [String] = []) async throws -> [Command] {
        let help = try await run(executable, words + ["--help"])
        var commands = [Command(executable: executable, words: words)]
        for word in subcommands(in: help.output) { commands += try await walk(executable, words + [word]) }
        return commands
    }

    /// The names listed under a `SUBCOMMANDS:` heading (or a group's `... SUBCOMMANDS:`): an entry starts two
    /// spaces in, a wrapped abstract further in; the section ends at a blank line.
    static func subcommands(in help: String) -> [String] {
        var names: [String] = []
        var inSection = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasSuffix("SUBCOMMANDS:") { inSection = true; continue }
            guard inSection else { continue }
            if line.trimmingCharacters(in: .whitespaces).isEmpty { inSection = false; continue }
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let word = line.split(separator: " ").first else { continue }
            names.append(String(word.trimmingCharacters(in: CharacterSet(charactersIn: ","))))
        }
        return names
    }

    @Test("--help on every command: the usage with the command's name on stdout, nothing on stderr, status 0",
          arguments: try await HelpTests.allCommands())
    func helpOnEveryCommand(_ command: Command) async throws {
        let help = try await run(command.executable, command.words + ["--help"])
        #expect(help.status == 0, "\(help.stderr)")
        #expect(help.output.contains("USAGE: \(command.line)"), "\(help.output)")
        #expect(help.stderr.isEmpty, "\(help.stderr)")
        // `gatewayctl help WORDS` is the other spelling and must say the same.
        if !command.words.isEmpty && command.executable == gatewayctlPath {
            let spelled = try await run(command.executable, ["help"] + command.words)
            #expect(spelled.status == 0 && spelled.stderr.isEmpty && spelled.output == help.output)
        }
    }

    @Test("the walk finds every command, not a handful")
    func walkFindsEveryCommand() async throws {
        let lines = try await Self.allCommands().map(\.line)
        #expect(lines.count >= 35, "\(lines)")
        for known in ["gatewayctl", "gatewayctl token list", "gatewayctl ca init", "gatewayctl meter simulate", "gatewayctl bench token", "pkid",
                      "gatewayd", "headend", "headend readings", "headend export", "gatewayctl status", "gatewayctl bench chain"] {
            #expect(lines.contains(known), "\(known) missing from \(lines)")
        }
    }

    @Test("gatewayctl alone prints the root help, status 0")
    func bareGatewayctl() async throws {
        let bare = try await run(gatewayctlPath, [])
        #expect(bare.status == 0)
        #expect(bare.stderr.isEmpty, "\(bare.stderr)")
        #expect(bare.output == (try await run(gatewayctlPath, ["--help"])).output)
        #expect(bare.output.contains("SUBCOMMANDS:"))
    }

    static func path(of name: String) -> String {
        ["pkid": pkidPath, "gatewayd": gatewaydPath, "headend": headendPath][name] ?? gatewayctlPath
    }

    @Test("--version prints the product version, status 0", arguments: ["gatewayctl", "pkid", "gatewayd", "headend"])
    func version(_ name: String) async throws {
        let version = try await run(Self.path(of: name), ["--version"])
        #expect(version.status == 0)
        #expect(version.output == ProductVersion.current + "\n")
        #expect(version.stderr.isEmpty, "\(version.stderr)")
    }

    @Test("a usage mistake: ArgumentParser's error and the usage on stderr, nothing on stdout, status 64", arguments: [
        ["gatewayctl", "token", "list", "--bogus"], ["gatewayctl", "verify"], ["gatewayctl", "no-such-command"], ["pkid", "--bogus"],
        ["gatewayd", "--config", "x", "--bogus"], ["headend", "--bogus"],
    ])
    func usageMistake(_ words: [String]) async throws {
        let executable = Self.path(of: words[0])
        let result = try await run(executable, Array(words.dropFirst()))
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("Error: "), "\(result.stderr)")
        #expect(result.stderr.contains("Usage: \(words[0])"), "\(result.stderr)")
    }

    @Test("a project error: one line naming cause and fix, no usage, status 1")
    func projectError() async throws {
        let result = try await run(gatewayctlPath, ["verify", "--frame", "/nonexistent", "--ca", "/nonexistent"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "gatewayctl: --ca /nonexistent cannot be read (no such file); check the path and its permissions\n")
        #expect(!result.stderr.lowercased().contains("usage"))
    }

    @Test("a daemon's configuration that cannot be read: one line naming the file, status 1", arguments: ["gatewayd", "headend"])
    func daemonProjectError(_ name: String) async throws {
        let result = try await run(Self.path(of: name), ["--config", "/nonexistent/\(name).yaml"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("\(name): /nonexistent/\(name).yaml"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}
