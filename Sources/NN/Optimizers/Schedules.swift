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

/// Multiplies the rate by γ every epoch — PyTorch's `ExponentialLR`: η(e) = η₀ · γᵉ.
public struct ExponentialSchedule: LearningRateSchedule {
    public let gamma: Double

    public init(gamma: Double) {
        checkHyperparameter("ExponentialSchedule", "gamma", gamma, atLeast: 0)
        self.gamma = gamma
    }

    public func learningRate(epoch: Int, base: Double) -> Double {
        tensorCheck(epoch >= 0, "ExponentialSchedule: epoch \(epoch). Fix: count epochs from 0.")
        return base * integerPower(gamma, Double(epoch))
    }
}

/// A linear ramp of the rate's factor from `startFactor` to `endFactor` over `epochs` epochs,
/// then `endFactor` — PyTorch's `LinearLR` (a warm-up with the defaults 1/3 → 1 over 5):
///
///     η(e) = η₀ · (s + (f − s) · min(e, epochs)/epochs)
public struct LinearWarmupSchedule: LearningRateSchedule {
    public let epochs: Int
    public let startFactor: Double
    public let endFactor: Double

    public init(epochs: Int = 5, startFactor: Double = 1.0 / 3, endFactor: Double = 1) {
        tensorCheck(epochs > 0, "LinearWarmupSchedule: epochs \(epochs). Fix: ramp over at least 1 epoch.")
        tensorCheck(
            startFactor > 0 && startFactor <= 1 && endFactor >= 0 && endFactor <= 1,
            "LinearWarmupSchedule: startFactor \(startFactor), endFactor \(endFactor). Fix: use 0 < startFactor ≤ 1 and 0 ≤ endFactor ≤ 1 (PyTorch's bounds)."
        )
        self.epochs = epochs
        self.startFactor = startFactor
        self.endFactor = endFactor
    }

    public func learningRate(epoch: Int, base: Double) -> Double {
        tensorCheck(epoch >= 0, "LinearWarmupSchedule: epoch \(epoch). Fix: count epochs from 0.")
        return base * (startFactor + (endFactor - startFactor) * Double(Swift.min(epoch, epochs)) / Double(epochs))
    }
}

/// The one-cycle policy (Smith 2018), per step — PyTorch's `OneCycleLR` with cosine annealing
/// and two phases: from maxRate/divFactor up to `maxRate` over the first `percentStart` of
/// `totalSteps`, then down to maxRate/(divFactor·finalDivFactor) at the last step. The `base`
/// argument is ignored (the cycle is defined by `maxRate`); `epoch` counts steps.
public struct OneCycleSchedule: LearningRateSchedule {
    public let maxRate: Double
    public let totalSteps: Int
    public let percentStart: Double
    public let divFactor: Double
    public let finalDivFactor: Double

    public init(maxRate: Double, totalSteps: Int, percentStart: Double = 0.3, divFactor: Double = 25, finalDivFactor: Double = 1e4) {
        checkHyperparameter("OneCycleSchedule", "maxRate", maxRate, atLeast: 0)
        tensorCheck(totalSteps > 1, "OneCycleSchedule: totalSteps \(totalSteps). Fix: run the cycle over at least 2 steps.")
        tensorCheck(
            percentStart > 0 && percentStart < 1 && divFactor > 0 && finalDivFactor > 0,
            "OneCycleSchedule: percentStart \(percentStart), divFactor \(divFactor), finalDivFactor \(finalDivFactor). Fix: use 0 < percentStart < 1 and positive factors."
        )
        self.maxRate = maxRate
        self.totalSteps = totalSteps
        self.percentStart = percentStart
        self.divFactor = divFactor
        self.finalDivFactor = finalDivFactor
    }

    public func learningRate(epoch step: Int, base _: Double) -> Double {
        tensorCheck(
            step >= 0 && step < totalSteps,
            "OneCycleSchedule: step \(step) of a \(totalSteps)-step cycle. Fix: use steps 0..<\(totalSteps) (one per optimizer step)."
        )
        let initial = maxRate / divFactor, minimum = initial / finalDivFactor
        let end1 = percentStart * Double(totalSteps) - 1, end2 = Double(totalSteps - 1)
        func anneal(_ start: Double, _ end: Double, _ pct: Double) -> Double { end + (start - end) / 2 * (1 + cos(Double.pi * pct)) }
        let s = Double(step)
        if s <= end1 { return anneal(initial, maxRate, s / end1) }
        return anneal(maxRate, minimum, (s - end1) / (end2 - end1))
    }
}

/// Lowers the rate when a metric stops improving — PyTorch's `ReduceLROnPlateau` (mode "min",
/// relative threshold). Call `step(metric:)` once per epoch with the validation loss; it returns
/// the rate to use next (set it on the optimizer).
///
/// A value counts as better when it is below best·(1 − threshold). After more than `patience`
/// epochs without one, the rate becomes max(rate·factor, minimumRate) (if that changes it by more
/// than 1e-8), and `cooldown` epochs follow in which bad epochs are not counted.
public final class ReduceOnPlateau {
    public private(set) var rate: Double
    public let factor: Double
    public let patience: Int
    public let threshold: Double
    public let cooldown: Int
    public let minimumRate: Double
    public private(set) var best = Double.infinity
    public private(set) var badEpochs = 0
    private var cooldownLeft = 0

    public init(rate: Double, factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4, cooldown: Int = 0, minimumRate: Double = 0) {
        checkHyperparameter("ReduceOnPlateau", "rate", rate, atLeast: 0)
        tensorCheck(factor >= 0 && factor < 1, "ReduceOnPlateau: factor \(factor). Fix: use a factor in [0, 1) (0.1 by default).")
        tensorCheck(patience >= 0 && cooldown >= 0 && threshold >= 0 && minimumRate >= 0,
                    "ReduceOnPlateau: patience \(patience), cooldown \(cooldown), threshold \(threshold), minimumRate \(minimumRate). Fix: use values ≥ 0.")
        self.rate = rate
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.cooldown = cooldown
        self.minimumRate = minimumRate
    }

    /// Records one epoch's metric (lower is better) and returns the rate for the next epoch. A
    /// NaN metric is never better, so it counts as a bad epoch.
    @discardableResult
    public func step(metric: Double) -> Double {
        if metric < best * (1 - threshold) {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownLeft > 0 {
            cooldownLeft -= 1
            badEpochs = 0
        }
        if badEpochs > patience {
            let reduced = Swift.max(rate * factor, minimumRate)
            if rate - reduced > 1e-8 { rate = reduced }
            cooldownLeft = cooldown
            badEpochs = 0
        }
        return rate
    }
}
