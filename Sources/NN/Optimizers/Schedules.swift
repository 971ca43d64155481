import Foundation
import Autograd

/// A learning rate as a function of the epoch (or step) number, from a base rate. Set it on an
/// optimizer between epochs: `optimizer.learningRate = schedule.learningRate(epoch: e, base: 0.1)`.
public protocol LearningRateSchedule: Sendable {
    /// The rate for `epoch` (0 is the first), starting from `base`.
    func learningRate(epoch: Int, base: Double) -> Double
}

/// Multiplies the rate by γ every `stepSize` epochs — PyTorch's `StepLR` in closed form:
///
///     η(e) = η₀ · γ^⌊e / stepSize⌋
public struct StepSchedule: LearningRateSchedule {
    public let stepSize: Int
    public let gamma: Double

    public init(stepSize: Int, gamma: Double = 0.1) {
        tensorCheck(stepSize > 0, "StepSchedule: stepSize \(stepSize). Fix: use a step size ≥ 1.")
        checkHyperparameter("StepSchedule", "gamma", gamma, atLeast: 0)
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func learningRate(epoch: Int, base: Double) -> Double {
        tensorCheck(epoch >= 0, "StepSchedule: epoch \(epoch). Fix: count epochs from 0.")
        return base * integerPower(gamma, Double(epoch / stepSize))
    }
}

/// Cosine annealing from the base rate down to `minimum` over `epochs` epochs — PyTorch's
/// `CosineAnnealingLR` (T_max = epochs, eta_min = minimum) in closed form:
///
///     η(e) = η_min + (η₀ − η_min) · (1 + cos(π·e / epochs)) / 2
///
/// Past `epochs` the cosine continues (the rate rises again), as PyTorch's closed form does.
public struct CosineSchedule: LearningRateSchedule {
    public let epochs: Int
    public let minimum: Double

    public init(epochs: Int, minimum: Double = 0) {
        tensorCheck(epochs > 0, "CosineSchedule: epochs \(epochs). Fix: anneal over at least 1 epoch.")
        checkHyperparameter("CosineSchedule", "minimum", minimum, atLeast: 0)
        self.epochs = epochs
        self.minimum = minimum
    }

    public func learningRate(epoch: Int, base: Double) -> Double {
        tensorCheck(epoch >= 0, "CosineSchedule: epoch \(epoch). Fix: count epochs from 0.")
        return minimum + (base - minimum) * (1 + cos(Double.pi * Double(epoch) / Double(epochs))) / 2
    }
}
