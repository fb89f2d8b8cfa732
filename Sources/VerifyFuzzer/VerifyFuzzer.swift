#if FUZZING
import COSEM
import Crypto
import Dispatch
import Foundation
import Metering
import PKI
import SwiftASN1
import X509

/// libFuzzer over the whole verify path a head-end runs on frames from the network: each input is verified as a
/// general-signing frame (bare or wrapped, the signer found through a certificate source) and as an evidence file, against a fixed CA and signing certificate,
/// and both reports are rendered in text and JSON. A crash or a trap anywhere is a finding; so is an input that
/// verifies, since nobody but this process holds the key.
enum Fixture {
    static let verifier: RecordVerifier = {
        let rootKey = P256.Signing.PrivateKey()
        let now = Date()
        let rootName = try! DistinguishedName { CommonName("Fuzz Root") }
        let root = try! Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(rootKey.publicKey), notValidBefore: now - 3600,
            notValidAfter: now + 86400 * 365, issuer: rootName, subject: rootName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try! Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                KeyUsage(keyCertSign: true, cRLSign: true)
            },
            issuerPrivateKey: .init(rootKey)
        )
        return RecordVerifier(validator: CertificateValidator(trustAnchors: [root], policy: {
            var policy = CertificateValidator.Policy()
            policy.revocation = .none
            return policy
        }()))
    }()

    static let certificate: Certificate = {
        let key = P256.Signing.PrivateKey()
        let now = Date()
        let name = try! DistinguishedName { CommonName("00DB1234567890A0") }
        return try! Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: now - 3600,
            notValidAfter: now + 86400, issuer: try! DistinguishedName { CommonName("Fuzz Root") }, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: try! Certificate.Extensions { KeyUsage(digitalSignature: true) },
            issuerPrivateKey: .init(key)
        )
    }()
}

/// Runs `body` to completion from libFuzzer's synchronous callback.
func blocking(_ body: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task {
        await body()
        done.signal()
    }
    done.wait()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func verifyFuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    blocking {
        let apdu = (try? WrapperFrame.apdu(ofPossiblyWrapped: bytes)) ?? bytes
        for result in [await Fixture.verifier.verify(frame: apdu, certificates: FixedCertificateSource(Fixture.certificate)),
                       await Fixture.verifier.verify(evidence: bytes)] {
            _ = VerificationReport.text(result)
            _ = VerificationReport.json(result)
            if result.passed { fatalError("an input nobody signed verified") }
        }
        // The head-end's acknowledgement: decoding is strict and canonical, and nothing anybody else signed verifies.
        if let acknowledgement = try? SignedAcknowledgement(decoding: apdu), acknowledgement.encoded != apdu {
            fatalError("acknowledgement round trip changed the bytes")
        }
        // Signed requests and responses (the gateway's and the head-end's receivers): the same, and verification of
        // what nobody here signed never passes.
        if let request = try? SignedRequest(decoding: apdu), request.encoded != apdu { fatalError("request round trip changed the bytes") }
        if let response = try? SignedResponse(decoding: apdu), response.encoded != apdu { fatalError("response round trip changed the bytes") }
        let gateway = try! SystemTitle(hex: "00DB1234567890A0")
        let request = await RequestVerifier(validator: Fixture.verifier.validator, receiver: gateway)
            .verify(frame: apdu, certificates: FixedCertificateSource(Fixture.certificate))
        let response = await ResponseVerifier(validator: Fixture.verifier.validator, receiver: gateway)
            .verify(frame: apdu, certificates: FixedCertificateSource(Fixture.certificate), transactionID: 1)
        if request.passed || response.passed { fatalError("a request or response nobody signed verified") }
    }
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("VerifyFuzzer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    _ = Fixture.verifier
    _ = Fixture.certificate
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, verifyFuzzInput)
}
#else
@main
enum VerifyFuzzer {
    static func main() {
        print("VerifyFuzzer is built for fuzzing by `make fuzz` (swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING)")
    }
}
#endif
