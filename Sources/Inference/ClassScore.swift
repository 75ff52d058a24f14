import FashionData
import Foundation
import NeuralNet
import NumericCore
import Synchronization

/// One class and its probability.
public struct ClassScore: Codable, Equatable, Sendable {
    public let className: String
    public let classIndex: Int
    public let probability: Double

    public init(className: String, classIndex: Int, probability: Double) {
        self.className = className
        self.classIndex = classIndex
        self.probability = probability
    }
}
