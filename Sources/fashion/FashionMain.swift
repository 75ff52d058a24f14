import FashionCLI

@main
struct FashionMain {
    static func main() async {
        await FashionCommand.main()
    }
}
