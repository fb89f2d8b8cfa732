import Foundation
import Testing
import TestSupport

/// pkid and gatewayctl share one PKI database from separate processes. Crowding both onto it at once must
/// neither fail a request nor use a secret up without a certificate, nor record a certificate nobody got.
@Suite("pkid and gatewayctl at one PKI database at once")
struct PKIDConcurrencyTests {
    enum Outcome: Sendable {
        case enrolled(title: String, code: Int, body: String)
        case registered(title: String, result: ProcessResult)
    }

    @Test("50 EST enrollments and 10 `ra register` at once: all succeed, no secret is used up, every recorded certificate was delivered")
    func storm() async throws {
        let fixture = try await PKIDFixture()
        let enrolling = (0..<50).map { String(format: "00DB12345678%04X", $0) }
        let registering = (0..<10).map { String(format: "00DB12345679%04X", $0) }
        var requests: [(title: String, secret: String, csr: String)] = []
        for title in enrolling {
            requests.append((title, try await fixture.register(title), try await fixture.csr("/CN=\(title)").csr))
        }

        let jobs: [@Sendable () async throws -> Outcome] = requests.map { request -> @Sendable () async throws -> Outcome in
            { let answer = try await fixture.enroll(request.title, secret: request.secret, csr: request.csr)
              return .enrolled(title: request.title, code: answer.code, body: answer.body) }
        } + registering.map { title -> @Sendable () async throws -> Outcome in
            { .registered(title: title, result: try await fixture.registration(title)) }
        }
        var delivered: Set<String> = []
        var late: [(title: String, secret: String)] = []
        for result in await simultaneously(jobs) {
            switch try result.get() {
            case .enrolled(let title, let code, let body):
                #expect(code == 200, "\(title): \(code) \(body)")
                if code == 200 { delivered.insert(try await fixture.certificate(in: body).serial) }
            case .registered(let title, let result):
                #expect(result.status == 0, "\(title): \(result.stderr)")
                if result.status == 0 { late.append((title, try PKIDFixture.secret(in: result))) }
            }
        }
        #expect(late.count == 10)

        // The devices registered during the storm enroll with their secrets, all ten at once.
        var lateJobs: [@Sendable () async throws -> (code: Int, body: String)] = []
        for device in late {
            let csr = try await fixture.csr("/CN=\(device.title)").csr
            lateJobs.append { try await fixture.enroll(device.title, secret: device.secret, csr: csr) }
        }
        for result in await simultaneously(lateJobs) {
            let answer = try result.get()
            #expect(answer.code == 200, "\(answer.body)")
            if answer.code == 200 { delivered.insert(try await fixture.certificate(in: answer.body).serial) }
        }
        #expect(delivered.count == 60)

        // The directory holds exactly the certificates that reached the devices (and pkid's own TLS certificate).
        let devices = try await fixture.listed().filter { $0.line.contains("CN=00DB") }
        #expect(Set(devices.map(\.serial)) == delivered)
        #expect(devices.count == 60)
    }

    @Test("ten `gatewayctl ra register` at once, while pkid holds the database open: all ten succeed")
    func parallelRegistrations() async throws {
        let fixture = try await PKIDFixture()
        let jobs: [@Sendable () async throws -> ProcessResult] = (0..<10).map { index -> @Sendable () async throws -> ProcessResult in
            { try await fixture.registration(String(format: "00DB1234567A%04X", index)) }
        }
        let results = try await simultaneously(jobs).map { try $0.get() }
        #expect(results.filter { $0.status != 0 }.map(\.stderr) == [])
        #expect(Set(try results.map { try PKIDFixture.secret(in: $0) }).count == 10)
    }

    @Test("one secret, eight EST enrollments at once with eight keys: one certificate, seven refused as used")
    func raceOnOneSecret() async throws {
        let fixture = try await PKIDFixture()
        let title = "00DB1234567890E0"
        let secret = try await fixture.register(title)
        var csrs: [String] = []
        for _ in 0..<8 { csrs.append(try await fixture.csr("/CN=\(title)").csr) }
        let jobs: [@Sendable () async throws -> (code: Int, body: String)] = csrs.map { csr -> @Sendable () async throws -> (code: Int, body: String) in
            { try await fixture.enroll(title, secret: secret, csr: csr) }
        }
        let answers = try await simultaneously(jobs).map { try $0.get() }
        let issued = answers.filter { $0.code == 200 }
        #expect(issued.count == 1, "\(answers.map(\.code))")
        #expect(answers.filter { $0.code != 200 }.map(\.body)
            == Array(repeating: "this enrollment secret was already used; register the device again for a new one", count: 7))
        var serials: [String] = []
        for answer in issued { serials.append(try await fixture.certificate(in: answer.body).serial) }
        #expect(try await fixture.directory(title).map { $0["serial"] } == serials)
    }
}
