import COSEM

#if FUZZING
/// libFuzzer's entry: every input must either fail to decode with a typed error or decode to a value that
/// re-encodes to exactly the input (decoding is canonical). A crash, a trap or a changed round trip is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func cosemFuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let apdu = try? APDU(decoding: bytes), apdu.encoded != bytes {
        fatalError("APDU round trip changed the bytes")
    }
    if let value = try? COSEMData(decoding: bytes), value.encoded != bytes {
        fatalError("Data round trip changed the bytes")
    }
    if let frame = try? WrapperFrame(decoding: bytes), frame.encoded != bytes {
        fatalError("wrapper round trip changed the bytes")
    }
    // The stream splitter, fed in two pieces, must give the frames the one-shot decoder gives, and never more bytes
    // than it was fed.
    var splitter = WrapperFrameSplitter()
    splitter.append(bytes.prefix(bytes.count / 2))
    splitter.append(bytes.dropFirst(bytes.count / 2))
    var consumed = 0
    while let frame = try? splitter.next() {
        consumed += frame.encoded.count
        if consumed > bytes.count { fatalError("the splitter returned more bytes than it was fed") }
    }
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM names an executable's entry point `<target>_main`; hand control to libFuzzer from there (REFERENCE §8).
@_cdecl("COSEMFuzzer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, cosemFuzzInput)
}
#else
@main
enum COSEMFuzzer {
    static func main() {
        print("COSEMFuzzer is built for fuzzing by `make fuzz` (swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING)")
    }
}
#endif
