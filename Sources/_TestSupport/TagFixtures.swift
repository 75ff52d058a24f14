import FashionData
import Foundation
import NumericCore
import Reports

/// A tiny multi-label task that a small network learns: 4x4 grayscale pictures whose tag `q`
/// (of `q0` ... `q3`) is present when quadrant `q` (a 2x2 block) is bright; each picture has
/// one to four bright quadrants and some noise. Written as a manifest dataset
/// (`train.csv`, `test.csv`, `pictures/<split>-<index>.png`).
public enum TagFixtures {
    public static let tagNames = ["q0", "q1", "q2", "q3"]

    public static func writeQuadrants(to folder: URL, train: Int = 200, test: Int = 40, seed: UInt64 = 1) throws {
        var generator = SeededGenerator(seed: seed)
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("pictures"), withIntermediateDirectories: true)
        for (split, count) in [("train", train), ("test", test)] {
            var manifest = "file,tags\n"
            for index in 0..<count {
                var bright = (0..<4).map { _ in generator.nextUnitFloat() < 0.45 }
                if !bright.contains(true) { bright[generator.nextIndex(below: 4)] = true }
                var pixels = [UInt8](repeating: 0, count: 16)
                for y in 0..<4 {
                    for x in 0..<4 {
                        let quadrant = (y / 2) * 2 + x / 2
                        let noise = Int(generator.nextUnitFloat() * 60)
                        pixels[y * 4 + x] = UInt8(bright[quadrant] ? 255 - noise : noise)
                    }
                }
                let file = "pictures/\(split)-\(index).png"
                try Data(PNGEncoder.encode(width: 4, height: 4, colourType: .grayscale, pixels: pixels))
                    .write(to: folder.appendingPathComponent(file))
                let tags = bright.enumerated().filter(\.element).map { tagNames[$0.offset] }
                manifest += "\(file),\(tags.joined(separator: "|"))\n"
            }
            try manifest.write(to: folder.appendingPathComponent("\(split).csv"), atomically: true, encoding: .utf8)
        }
    }
}
