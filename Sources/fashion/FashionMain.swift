import FashionCLI
@preconcurrency import Glibc

@main
struct FashionMain {
    static func main() async {
        // Line by line even into a file or pipe, so a log shows each epoch and each finished
        // run as it happens rather than everything at exit.
        setvbuf(stdout, nil, _IOLBF, 0)
        await FashionCommand.main()
    }
}
