// A seeded validation split, random-shift augmentation for images, and early stopping.

extension Dataset {
    /// The rows split at random into (train, validation), `validationFraction` of them (rounded,
    /// at least one on each side) held out, the same for the same seed — PyTorch's
    /// `random_split` with a seeded generator. Rows keep their relative order within each part.
    public func split(validationFraction: Double, seed: UInt64) -> (train: Dataset, validation: Dataset) {
        tensorCheck(
            validationFraction > 0 && validationFraction < 1 && count >= 2,
            "Dataset.split(validationFraction:seed:): fraction \(validationFraction) of \(count) rows. Fix: use a fraction in (0, 1) of a data set with at least 2 rows."
        )
        var g = TensorRandom(seed: seed)
        let order = g.permutation(count)
        let held = Swift.min(count - 1, Swift.max(1, Int((validationFraction * Double(count)).rounded())))
        let validation = order.prefix(held).sorted(), train = order.dropFirst(held).sorted()
        return (subset(train), subset(validation))
    }

    /// Each image shifted by a random whole number of pixels in −maxShift…maxShift along each
    /// axis, zeros shifted in — the usual augmentation for small digit images. Rows are images
    /// of `height`×`width` (× channels, `channels` planes one after another); labels are kept.
    /// The same generator state gives the same shifts.
    public func randomlyShifted(maxShift: Int, height: Int, width: Int, channels: Int = 1, generator: inout TensorRandom) -> Dataset {
        tensorCheck(
            maxShift >= 0 && height > 0 && width > 0 && channels > 0 && featureCount == height * width * channels,
            "Dataset.randomlyShifted: \(featureCount) features as \(channels)×\(height)×\(width) images, maxShift \(maxShift). Fix: give the images' true size (channels·height·width = the feature count) and maxShift ≥ 0."
        )
        let x = features.contiguous().scalars
        var out = [Scalar](repeating: 0, count: x.count)
        let plane = height * width, row = featureCount
        for n in 0..<count {
            let dy = g(maxShift, &generator), dx = g(maxShift, &generator)
            for c in 0..<channels {
                for y in 0..<height where y - dy >= 0 && y - dy < height {
                    for xx in 0..<width where xx - dx >= 0 && xx - dx < width {
                        out[n * row + c * plane + y * width + xx] = x[n * row + c * plane + (y - dy) * width + (xx - dx)]
                    }
                }
            }
        }
        return Dataset(features: Tensor(shape: features.shape, scalars: out), labels: labels)
    }
}

/// A uniform integer in −k…k.
private func g(_ k: Int, _ generator: inout TensorRandom) -> Int { k == 0 ? 0 : generator.nextIndex(below: 2 * k + 1) - k }

/// Stops training when a validation metric (lower is better) has not improved by more than
/// `minDelta` for `patience` epochs in a row (Keras' and PyTorch Lightning's EarlyStopping).
///
///     let stopper = EarlyStopping(patience: 5)
///     for epoch in 0..<100 { …; if stopper.shouldStop(after: validationLoss) { break } }
///     // stopper.bestEpoch, stopper.best: where the best value was (restore that checkpoint)
public final class EarlyStopping {
    public let patience: Int
    public let minDelta: Double
    public private(set) var best = Double.infinity
    /// The 0-based index of the call that gave `best` (nil before any finite value).
    public private(set) var bestEpoch: Int?
    public private(set) var epochsWithoutImprovement = 0
    private var calls = 0

    public init(patience: Int, minDelta: Double = 0) {
        tensorCheck(patience >= 1 && minDelta >= 0, "EarlyStopping: patience \(patience), minDelta \(minDelta). Fix: use patience ≥ 1 and minDelta ≥ 0.")
        self.patience = patience
        self.minDelta = minDelta
    }

    /// Records one epoch's metric and says whether to stop. NaN never improves.
    public func shouldStop(after metric: Double) -> Bool {
        defer { calls += 1 }
        if metric < best - minDelta {
            best = metric
            bestEpoch = calls
            epochsWithoutImprovement = 0
        } else {
            epochsWithoutImprovement += 1
        }
        return epochsWithoutImprovement >= patience
    }
}
