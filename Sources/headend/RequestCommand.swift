import ArgumentParser
import DaemonRuntime
import Foundation
import PKI
import Transport

/// `headend request`: asks the running head-end (its control endpoint) to send a signed request to a gateway, and
/// prints the verified answer. The daemon signs with its token key; this command never needs a PIN.
struct Request: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a signed get-request to a connected gateway through the running head-end, and print the verified answer.",
        discussion: "Exit 0 when the answer verified and carries a value; 1 otherwise (refused, unverified, no answer), with the reason."
    )

    @Option(help: "headend's configuration: its control socket (control.socket, or control.sock beside the store).")
    var config: String?

    @Option(help: "The head-end's control socket (overrides the configuration).")
    var socket: String?

    @Option(help: "The head-end's TCP control listener, host:port, when it has one (control.listen); else the socket is used.")
    var control: String?

    @Option(help: "The gateway's system title, 16 hex digits.")
    var gateway: String

    @Option(help: "The object's OBIS code, e.g. 1.0.1.8.1.255.")
    var obis: String

    @Option(help: "The attribute (2: the value).")
    var attribute: Int = 2

    @Option(name: .customLong("class"), help: "The interface class (3: register).")
    var classID: Int = 3

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await oneLineErrors {
            let control = try controlEndpoint()
            let body = try JSONSerialization.data(withJSONObject: ["gateway": gateway, "obis": obis, "attribute": attribute, "class": classID])
            let response: HTTPSClient.Response
            switch await post(Array(body), to: control) {
            case .success(let answer):
                response = answer
            case .failure(.connectionFailed(_, _, let reason)) where reason == "Permission denied":
                throw SettingsError("the head-end's \(control) refuses this user (Permission denied): only headend's user and the members of its control.group may command gateways")
            case .failure(.connectionFailed(_, _, let reason)):
                throw SettingsError("the head-end's \(control) does not answer (\(reason)); is headend running with this configuration?")
            case .failure(let error):
                throw SettingsError("the head-end's \(control) does not answer (\(error)); is headend running with this configuration?")
            }
            guard response.status.code == 200,
                  let outcome = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
                throw SettingsError("the head-end refused the request: \(String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            let verified = outcome["verified"] as? Bool ?? false
            if json {
                let text = try JSONSerialization.data(withJSONObject: outcome, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: text, as: UTF8.self))
            } else if let error = outcome["error"] as? String {
                // No answer at all: a project error, one line on standard error.
                throw SettingsError(error)
            } else {
                // The daemon words the outcome (`RequestOutcome.line`); the command only prints it.
                print(outcome["line"] as? String ?? "the head-end answered without an outcome line")
            }
            // A value the gateway signed and the head-end verified is the only success; a refusal, however well signed, is not.
            if !verified || outcome["number"] == nil { throw ExitCode(1) }
        }
    }

    /// Where the running head-end takes commands: its control socket, or a TCP control listener.
    enum ControlEndpoint: CustomStringConvertible {
        case socket(String)
        case listener(HostAndPort)

        var description: String {
            switch self {
            case .socket(let path): "control socket \(path)"
            case .listener(let address): "control listener \(address)"
            }
        }
    }

    /// The control socket (from `--socket`, or the configuration), or the TCP listener `--control` names.
    private func controlEndpoint() throws -> ControlEndpoint {
        if let control {
            let address = try ListenAddress(parsing: control, key: "--control")
            return .listener(HostAndPort(host: address.host, port: address.port))
        }
        if let socket { return .socket(socket) }
        guard let config else { throw SettingsError("give --config FILE (headend's configuration) or --socket PATH") }
        let settings = try HeadEndSettings.load(path: config)
        guard let store = settings.store else { throw SettingsError("\(config) has no store: key, so no default control socket beside it; give --socket PATH") }
        return .socket(settings.controlSocketPath(store: store))
    }

    /// The command's one request, on a client made for it and shut down after it. The read timeout is long: the
    /// head-end answers once the gateway has (or the request's own timeout has run out).
    private func post(_ body: [UInt8], to control: ControlEndpoint) async -> Result<HTTPSClient.Response, HTTPClientError> {
        let headers = [("Content-Type", "application/json")]
        do throws(HTTPClientError) {
            return .success(try await HTTPSClient(timeouts: HTTPSClient.Timeouts(connect: .seconds(2), read: .seconds(60))).using { http throws(HTTPClientError) in
                switch control {
                case .socket(let path): try await http.request(.POST, "/requests", atSocket: path, headers: headers, body: body)
                case .listener(let address): try await http.request(.POST, "/requests", at: address, headers: headers, body: body)
                }
            })
        } catch {
            return .failure(error)
        }
    }
}
