// The part every fuzz target shares: libFuzzer's callback, and the entry that hands the run
// to libFuzzer. SwiftPM links an executable's entry point as `<module>_main`, so each target
// defines that one function (a line) and passes its body here.

/// The target's body: one input, which it must answer or reject, never trap on.
nonisolated(unsafe) var body: ([UInt8]) -> Void = { _ in }

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    body(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Runs libFuzzer with the command line `argc`/`argv`, calling `fuzz` with each input.
public func runFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ fuzz: @escaping ([UInt8]) -> Void
) -> CInt {
    body = fuzz
    var count = argc
    var values = argv
    return runDriver(&count, &values, testOneInput)
}
