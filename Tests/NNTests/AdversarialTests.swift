import Foundation
import Testing
import TestSupport

@testable import NN

// The adversarial catalogue: malformed calls, one readable list per kind of failure.
//
// - `StopCatalogue.cases`: programming mistakes in model code. Each stops the process with a
//   message naming the operation, the shapes or values, and a fix (an exit test per case).
// - `ThrowCatalogue.cases`: input from outside the program (checkpoints, CSV files, activation
//   specs). Each throws a typed error, and the model, its buffers and the optimizer state hash
//   the same before and after.
// - `CLICatalogue.cases`: the built `tapegrad` executable run with bad flags or files. Each
//   prints exactly one line `tapegrad: …` on stderr, nothing on stdout, exits with 2 and
//   leaves its working directory empty.
//
// The existing exit tests elsewhere in Tests/ are not repeated here; Docs/Reliability.md
// counts both. Every case name is unique (checked below).

/// Which part of the API a malformed call misuses.
enum MisuseCategory: String, Sendable, CaseIterable {
    case shapes, views, dtypes, autograd, activations, layers, optimizers, losses, data, checkpoints, specs, cli
}

// MARK: - Stops (programming mistakes)

/// A call that must stop with a message mentioning `mentions` (and "Fix:").
struct StopCase: Sendable {
    let name: String
    let category: MisuseCategory
    let mentions: [String]
    let call: @Sendable () -> Void

    init(_ name: String, _ category: MisuseCategory, mentions: [String], _ call: @escaping @Sendable () -> Void) {
        self.name = name
        self.category = category
        self.mentions = mentions
        self.call = call
    }
}

/// A small Float model: a Linear, a BatchNorm1d (buffers), a PReLU per channel, a Linear head.
func victimModel(seed: UInt64) -> Sequential<Float> {
    var g = TensorRandom(seed: seed)
    return Sequential<Float>([Linear(3, 4, using: &g), BatchNorm1d(4), PReLU(channels: 4), Linear(4, 2, using: &g)])
}

enum StopCatalogue {
    typealias F = Tensor<Float>
    typealias V = Variable<Float>

    static let cases: [StopCase] = [
        // Shapes
        StopCase("variable product of shapes that do not broadcast", .shapes, mentions: ["*", "[2, 3]", "[2]", "do not broadcast", "dimension -1: 3 vs 2"]) {
            _ = V(F.zeros([2, 3])) * V(F.zeros([2]))
        },
        StopCase("compound assignment whose result does not fit the left side", .shapes, mentions: ["+=", "[2, 3]", "[3]", "left-hand side"]) {
            var t = F.zeros([3])
            t += F.zeros([2, 3])
        },
        StopCase("variable matmul with different inner sizes", .shapes, mentions: ["matmul", "[3, 2]", "inner sizes", "3×2 by 3×2"]) {
            _ = V(F.zeros([3, 2])).matmul(V(F.zeros([3, 2])))
        },
        StopCase("matmul of a rank-0 tensor", .shapes, mentions: ["matmul", "[]", "[2, 2]", "rank-0"]) {
            _ = F(2).matmul(F.zeros([2, 2]))
        },
        StopCase("matmul transposing a vector", .shapes, mentions: ["matmul", "transposing needs a matrix", "[3]"]) {
            _ = F.matmul(F.zeros([3]), F.zeros([3, 2]), transposingA: true)
        },
        StopCase("reshape with two inferred sizes", .shapes, mentions: ["reshaped(to:)", "[-1, -1]", "at most one −1"]) {
            _ = F.zeros([2, 3]).reshaped(to: [-1, -1])
        },
        StopCase("reshape whose inferred size does not divide the count", .shapes, mentions: ["reshaped(to:)", "[2, 3]", "[-1, 4]", "not a multiple of 4"]) {
            _ = F.zeros([2, 3]).reshaped(to: [-1, 4])
        },
        StopCase("variable reshape to another element count", .shapes, mentions: ["[2, 3]", "6 elements", "[5]", "5 elements"]) {
            _ = V(F.zeros([2, 3])).reshaped(to: [5])
        },
        StopCase("concatenate tensors that differ off the axis", .shapes, mentions: ["concatenate", "tensor 1", "[2, 4]", "[2, 3]", "axis 0"]) {
            _ = F.concatenate([F.zeros([2, 3]), F.zeros([2, 4])], alongAxis: 0)
        },
        StopCase("concatenate nothing", .shapes, mentions: ["concatenate", "no tensors"]) {
            _ = F.concatenate([])
        },
        StopCase("concatenate along an axis the tensors lack", .shapes, mentions: ["concatenate", "axis 2", "rank 2", "[2, 3]"]) {
            _ = F.concatenate([F.zeros([2, 3]), F.zeros([2, 3])], alongAxis: 2)
        },
        StopCase("stack tensors of different shapes", .shapes, mentions: ["stack", "tensor 1", "[3]", "[2]"]) {
            _ = F.stack([F.zeros([2]), F.zeros([3])])
        },
        StopCase("variable concatenate that differ off the axis", .shapes, mentions: ["concatenate", "tensor 1", "[3, 3]", "[2, 2]"]) {
            _ = V.concatenate([V(F.zeros([2, 2])), V(F.zeros([3, 3]))], alongAxis: 1)
        },
        StopCase("sum along an axis listed twice", .shapes, mentions: ["axis listed twice", "[0, 0]", "[2, 3]"]) {
            _ = F.zeros([2, 3]).sum(alongAxes: [0, 0])
        },
        StopCase("maximum along an empty axis", .shapes, mentions: ["axis 0", "[0, 3]", "empty"]) {
            _ = F.zeros([0, 3]).max(alongAxis: 0)
        },
        StopCase("select an index past the end", .shapes, mentions: ["selecting(_:alongAxis:)", "index 5", "size 3", "[3]"]) {
            _ = F.zeros([3]).selecting(5)
        },
        StopCase("slice along an axis the tensor lacks", .shapes, mentions: ["axis 3", "rank 2", "[2, 3]"]) {
            _ = F.zeros([2, 3]).sliced(alongAxis: 3, from: 0)
        },
        StopCase("variable slice with a negative step", .shapes, mentions: ["sliced(alongAxis:)", "step -1", "[4]"]) {
            _ = V(F.zeros([4])).sliced(alongAxis: 0, from: 0, by: -1)
        },
        StopCase("scalar of a tensor with several elements", .shapes, mentions: ["Tensor.scalar", "[2]", "2 elements"]) {
            _ = F.zeros([2]).scalar
        },
        StopCase("tensor with a negative dimension", .shapes, mentions: ["negative dimension", "[2, -1]"]) {
            _ = F(shape: [2, -1], repeating: 0)
        },
        StopCase("one index for a matrix", .shapes, mentions: ["1 indices", "rank 2", "[2, 2]"]) {
            _ = F.zeros([2, 2]).scalar(at: [0])
        },
        StopCase("gather a row that does not exist", .shapes, mentions: ["gathering(_:alongAxis:)", "index 4", "size 2", "[2, 3]"]) {
            _ = F.zeros([2, 3]).gathering([0, 4])
        },
        StopCase("softmax along an axis the input lacks", .shapes, mentions: ["axis 5", "[2, 3]"]) {
            _ = V(F.zeros([2, 3])).softmax(alongAxis: 5)
        },
        StopCase("variable mean along an out-of-range negative axis", .shapes, mentions: ["axis -3", "rank 2", "[2, 3]"]) {
            _ = V(F.zeros([2, 3])).mean(alongAxes: [-3])
        },
        StopCase("arange with a zero step", .shapes, mentions: ["arange", "step 0.0"]) {
            _ = F.arange(0, 5, step: 0)
        },
        StopCase("linspace with a negative count", .shapes, mentions: ["linspace", "count -1"]) {
            _ = F.linspace(0, 1, count: -1)
        },
        StopCase("uniform random numbers with low above high", .shapes, mentions: ["randomUniform", "low 1.0", "high 0.0"]) {
            _ = F.randomUniform([2], low: 1, high: 0, seed: 0)
        },
        StopCase("normal random numbers with a negative deviation", .shapes, mentions: ["randomNormal", "standard deviation -1.0"]) {
            _ = F.randomNormal([2], standardDeviation: -1, seed: 0)
        },
        StopCase("variable select along a missing axis", .shapes, mentions: ["selecting(_:alongAxis:)", "axis 2", "rank 1", "[3]"]) {
            _ = V(F.zeros([3])).selecting(0, alongAxis: 2)
        },
        StopCase("zero worker threads", .shapes, mentions: ["TensorRuntime.threadCount", "0 threads"]) {
            TensorRuntime.threadCount = 0
        },

        // Views
        StopCase("permutation that repeats an axis", .views, mentions: ["permuted(_:)", "[0, 0]", "not a permutation", "[2, 3]"]) {
            _ = F.zeros([2, 3]).permuted([0, 0])
        },
        StopCase("permutation with too few axes", .views, mentions: ["permuted(_:)", "[1]", "2 axes", "[2, 3]"]) {
            _ = V(F.zeros([2, 3])).permuted([1])
        },
        StopCase("expand a size-2 dimension to 4", .views, mentions: ["expanded(to:)", "[2, 3]", "[4, 3]", "dimension 0 has size 2"]) {
            _ = F.zeros([2, 3]).expanded(to: [4, 3])
        },
        StopCase("expand to fewer dimensions", .views, mentions: ["expanded(to:)", "[2, 3]", "[3]", "fewer dimensions"]) {
            _ = V(F.zeros([2, 3])).expanded(to: [3])
        },
        StopCase("squeeze an axis of size 3", .views, mentions: ["squeezed(axis:)", "axis 1", "[2, 3]", "size 3, not 1"]) {
            _ = F.zeros([2, 3]).squeezed(axis: 1)
        },
        StopCase("unsqueeze past the new rank", .views, mentions: ["unsqueezed(axis:)", "axis 4", "[2, 3]"]) {
            _ = F.zeros([2, 3]).unsqueezed(axis: 4)
        },
        StopCase("variable transpose of an axis the tensor lacks", .views, mentions: ["transposed(_:_:)", "axis 5", "rank 2", "[2, 3]"]) {
            _ = V(F.zeros([2, 3])).transposed(0, 5)
        },
        StopCase("transpose an axis the tensor lacks", .views, mentions: ["transposed(_:_:)", "axis 2", "[2, 3]"]) {
            _ = F.zeros([2, 3]).transposed(0, 2)
        },

        // Dtypes: a Float model asked for its Double parameters has none; an optimizer over
        // them would silently train nothing.
        StopCase("SGD over a Float model's Double parameters", .dtypes, mentions: ["SGD<Double>", "empty parameter list", "parameters(of:"]) {
            let model = victimModel(seed: 0)
            _ = SGD(parameters: model.parameters(of: Double.self), learningRate: 0.1)
        },
        StopCase("Adam over a Double model's Float parameters", .dtypes, mentions: ["Adam<Float>", "empty parameter list"]) {
            let model = Sequential<Double>([Linear(2, 2)])
            _ = Adam(parameters: model.parameters(of: Float.self))
        },
        StopCase("a data set with more labels than rows", .dtypes, mentions: ["Dataset", "[2, 3]", "3 labels"]) {
            _ = Dataset(features: F.zeros([2, 3]), labels: [0, 1, 2])
        },

        // Autograd
        StopCase("gradients of an output that needs none", .autograd, mentions: ["gradients(of:withRespectTo:)", "output of shape []", "does not depend on any input"]) {
            let x = V(F.ones([2]), requiresGradient: true)
            let y = withoutGradients { x * 2 }
            _ = gradients(of: y.sum(), withRespectTo: [x])
        },
        StopCase("assign a value of another shape", .autograd, mentions: ["Variable.assign", "[3]", "[2]"]) {
            var x = V(F.ones([2]), requiresGradient: true)
            x.assign(F.zeros([3]))
        },
        StopCase("assign to a computed variable", .autograd, mentions: ["Variable.assign", "computed by an operation", "detached()"]) {
            let x = V(F.ones([2]), requiresGradient: true)
            var y = x * 2
            y.assign(F.zeros([2]))
        },
        StopCase("multiply a trainable leaf in place", .autograd, mentions: ["*=", "leaf", "[2]", "requires a gradient"]) {
            var x = V(F.ones([2]), requiresGradient: true)
            x *= V(F.ones([2]))
        },
        StopCase("non-scalar backward from a matrix", .autograd, mentions: ["backward", "[2, 2]", "4 elements", "seed"]) {
            let x = V(F.ones([2, 2]), requiresGradient: true)
            (x * x).backward()
        },
        StopCase("gradients twice through a freed graph", .autograd, mentions: ["already freed", "retainGraph: true"]) {
            let x = V(F.ones([2]), requiresGradient: true)
            let y = (x * x).sum()
            _ = gradients(of: y, withRespectTo: [x])
            _ = gradients(of: y, withRespectTo: [x])
        },

        // Activation parameters
        StopCase("PReLU with no channels", .activations, mentions: ["PReLU", "0 channels"]) {
            _ = PReLU<Float>(channels: 0)
        },
        StopCase("PReLU with a NaN initial slope", .activations, mentions: ["PReLU", "initial slope nan"]) {
            _ = PReLU<Float>(channels: 2, initialValue: .nan)
        },
        StopCase("prelu with a channel axis the input lacks", .activations, mentions: ["prelu", "4 slopes", "[2, 4]", "channel axis 5"]) {
            _ = V(F.zeros([2, 4])).prelu(alpha: V(F.ones([4])), channelAxis: 5)
        },
        StopCase("LeakyReLU module with an infinite slope", .activations, mentions: ["leakyReLU", "negativeSlope inf"]) {
            _ = LeakyReLU<Float>(negativeSlope: .infinity)
        },
        StopCase("Maxout with mismatched weight and bias", .activations, mentions: ["Maxout", "[2, 3, 4]", "[3, 2]"]) {
            _ = Maxout<Float>(weight: F.zeros([2, 3, 4]), bias: F.zeros([3, 2]))
        },
        StopCase("Maxout fed the wrong feature count", .activations, mentions: ["Maxout", "[2, 5]", "4 inputs"]) {
            _ = Maxout<Float>(inputs: 4, outputs: 2, pieces: 2)(V(F.zeros([2, 5])))
        },
        StopCase("Maxout with no outputs", .activations, mentions: ["Maxout", "inputs 4, outputs 0"]) {
            _ = Maxout<Float>(inputs: 4, outputs: 0, pieces: 2)
        },
        StopCase("channel maxout along a missing axis", .activations, mentions: ["maxout", "axis 7", "[2, 4]", "out of range"]) {
            _ = V(F.zeros([2, 4])).maxout(groups: 2, channelAxis: 7)
        },
        StopCase("channel maxout with k = 0", .activations, mentions: ["ChannelMaxout", "k = 0"]) {
            _ = ChannelMaxout<Float>(groups: 0)
        },
        StopCase("RReLU with lower above upper", .activations, mentions: ["RReLU", "lower 0.5", "upper 0.1"]) {
            _ = RReLU<Float>(lower: 0.5, upper: 0.1)
        },
        StopCase("Softplus module with beta 0", .activations, mentions: ["softplus", "beta 0.0"]) {
            _ = Softplus<Float>(beta: 0)
        },
        StopCase("ELU module with a negative alpha", .activations, mentions: ["elu", "alpha -1.0"]) {
            _ = ELU<Float>(alpha: -1)
        },
        StopCase("CELU module with an infinite alpha", .activations, mentions: ["celu", "alpha inf"]) {
            _ = CELU<Float>(alpha: .infinity)
        },
        StopCase("Hardtanh module with a NaN bound", .activations, mentions: ["hardtanh", "min nan with max 1.0"]) {
            _ = Hardtanh<Float>(min: .nan, max: 1)
        },
        StopCase("BoundedReLU module with a negative bound", .activations, mentions: ["boundedReLU", "n -1.0"]) {
            _ = BoundedReLU<Float>(n: -1)
        },
        StopCase("Swish module with a NaN beta", .activations, mentions: ["swish", "beta nan"]) {
            _ = Swish<Float>(beta: .nan)
        },
        StopCase("TrainableSwish with no channels", .activations, mentions: ["TrainableSwish", "0 channels"]) {
            _ = TrainableSwish<Float>(channels: 0)
        },
        StopCase("Caffe log with base 1", .activations, mentions: ["log", "base 1.0"]) {
            _ = V(F.ones([2])).caffeLog(base: 1)
        },
        StopCase("Caffe exp with a negative base", .activations, mentions: ["exp:", "base -2.0"]) {
            _ = CaffeExp<Float>(base: -2)
        },
        StopCase("power with an infinite exponent", .activations, mentions: ["power:", "power inf"]) {
            _ = Power<Float>(.infinity)
        },
        StopCase("Threshold module with a NaN value", .activations, mentions: ["threshold:", "threshold 1.0 with value nan"]) {
            _ = Threshold<Float>(threshold: 1, value: .nan)
        },

        // Layers
        StopCase("Linear with no inputs", .layers, mentions: ["Linear", "0 inputs"]) {
            _ = Linear<Float>(0, 3)
        },
        StopCase("Linear from a rank-1 weight", .layers, mentions: ["Linear", "weight [3]", "[outputs, inputs]"]) {
            _ = Linear<Float>(weight: F.zeros([3]), bias: nil)
        },
        // Leading axes are fine ([*, in], as PyTorch); the last axis must be the features.
        StopCase("Linear fed a rank-3 input whose last axis is not the features", .layers, mentions: ["Linear", "[2, 4, 3]", "4 inputs", "flatten"]) {
            _ = Linear<Float>(4, 2)(V(F.zeros([2, 4, 3])))
        },
        StopCase("Conv2d with stride 0", .layers, mentions: ["Conv2d", "stride (0, 0)"]) {
            _ = Conv2d<Float>(1, 2, kernelSize: 3, stride: 0)
        },
        StopCase("Conv2d with negative padding", .layers, mentions: ["Conv2d", "padding (-1, -1)"]) {
            _ = Conv2d<Float>(1, 2, kernelSize: 3, padding: -1)
        },
        StopCase("Conv2d with zero input channels", .layers, mentions: ["Conv2d", "0 input channels"]) {
            _ = Conv2d<Float>(0, 2, kernelSize: 3)
        },
        StopCase("Conv2d with a bias of the wrong length", .layers, mentions: ["Conv2d", "[4, 1, 3, 3]", "bias [3]"]) {
            _ = Conv2d<Float>(weight: F.zeros([4, 1, 3, 3]), bias: F.zeros([3]))
        },
        StopCase("MaxPool2d with a zero kernel", .layers, mentions: ["MaxPool2d", "kernel (0, 0)"]) {
            _ = MaxPool2d<Float>(kernelSize: 0)
        },
        StopCase("AvgPool2d with padding above half the kernel", .layers, mentions: ["AvgPool2d", "padding (2, 2)", "kernel (2, 2)"]) {
            _ = AvgPool2d<Float>(kernelSize: 2, padding: 2)
        },
        StopCase("AvgPool2d with stride 0", .layers, mentions: ["AvgPool2d", "stride (0, 0)"]) {
            _ = AvgPool2d<Float>(kernelSize: 2, stride: 0)
        },
        StopCase("BatchNorm1d with no features", .layers, mentions: ["BatchNorm1d", "features 0"]) {
            _ = BatchNorm1d<Float>(0)
        },
        StopCase("BatchNorm2d with momentum 2", .layers, mentions: ["BatchNorm2d", "momentum 2.0", "[0, 1]"]) {
            _ = BatchNorm2d<Float>(3, momentum: 2)
        },
        StopCase("BatchNorm1d with a NaN eps", .layers, mentions: ["BatchNorm1d", "eps nan"]) {
            _ = BatchNorm1d<Float>(3, eps: .nan)
        },
        StopCase("Flatten with start after end", .layers, mentions: ["Flatten", "axes 2...1", "[2, 3, 4]"]) {
            _ = Flatten<Float>(startAxis: 2, endAxis: 1)(V(F.zeros([2, 3, 4])))
        },
        StopCase("Dropout with a NaN probability", .layers, mentions: ["Dropout", "p = nan"]) {
            _ = Dropout<Float>(p: .nan)
        },
        StopCase("a layer in a Sequential fed the previous layer's wrong width", .layers, mentions: ["Linear", "[1, 3]", "4 inputs"]) {
            _ = Sequential<Float>([Linear(2, 3), Linear(4, 1)])(V(F.zeros([1, 2])))
        },
        StopCase("Kaiming initialization of a weight with a zero dimension", .layers, mentions: ["kaiming", "[3, 0]", "fan of 0"]) {
            var g = TensorRandom(seed: 0)
            _ = F.kaimingUniform([3, 0], using: &g)
        },

        // Optimizers
        StopCase("SGD with negative momentum", .optimizers, mentions: ["SGD", "momentum -0.5"]) {
            _ = SGD(parameters: victimModel(seed: 0).parameters(of: Float.self), learningRate: 0.1, momentum: -0.5)
        },
        StopCase("SGD with negative weight decay", .optimizers, mentions: ["SGD", "weightDecay -0.01"]) {
            _ = SGD(parameters: victimModel(seed: 0).parameters(of: Float.self), learningRate: 0.1, weightDecay: -0.01)
        },
        StopCase("Nesterov SGD with dampening", .optimizers, mentions: ["SGD", "Nesterov", "dampening 0.1"]) {
            _ = SGD(parameters: victimModel(seed: 0).parameters(of: Float.self), learningRate: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true)
        },
        StopCase("Adam with a negative beta2", .optimizers, mentions: ["Adam", "beta2 -0.1", "[0.0, 1.0)"]) {
            _ = Adam(parameters: victimModel(seed: 0).parameters(of: Float.self), beta2: -0.1)
        },
        StopCase("AdamW with a NaN beta1", .optimizers, mentions: ["AdamW", "beta1 nan"]) {
            _ = AdamW(parameters: victimModel(seed: 0).parameters(of: Float.self), beta1: .nan)
        },
        StopCase("RMSProp with a negative epsilon", .optimizers, mentions: ["RMSProp", "epsilon -1e-08"]) {
            _ = RMSProp(parameters: victimModel(seed: 0).parameters(of: Float.self), epsilon: -1e-8)
        },
        StopCase("SGD learning rate set to infinity later", .optimizers, mentions: ["SGD", "learningRate inf"]) {
            let sgd = SGD(parameters: victimModel(seed: 0).parameters(of: Float.self), learningRate: 0.1)
            sgd.learningRate = .infinity
        },
        StopCase("cosine schedule over 0 epochs", .optimizers, mentions: ["CosineSchedule", "epochs 0"]) {
            _ = CosineSchedule(epochs: 0)
        },
        StopCase("step schedule with a negative gamma", .optimizers, mentions: ["StepSchedule", "gamma -0.5"]) {
            _ = StepSchedule(stepSize: 2, gamma: -0.5)
        },

        // Losses
        StopCase("cross-entropy of rank-1 logits", .losses, mentions: ["crossEntropy", "[10]", "[N, C]"]) {
            _ = crossEntropy(logits: V(F.zeros([10])), labels: [3])
        },
        StopCase("binary cross-entropy with targets of another shape", .losses, mentions: ["binaryCrossEntropy", "[4]", "[4, 1]"]) {
            _ = binaryCrossEntropy(logits: V(F.zeros([4])), targets: F.zeros([4, 1]))
        },
        StopCase("NLL loss with more labels than rows", .losses, mentions: ["nllLoss", "3 labels", "[2, 5]"]) {
            _ = nllLoss(logProbabilities: V(F.zeros([2, 5])), labels: [0, 1, 2])
        },
        StopCase("cross-entropy with a label equal to the class count", .losses, mentions: ["crossEntropy", "label 5", "position 0", "C = 5"]) {
            _ = crossEntropy(logits: V(F.zeros([1, 5])), labels: [5])
        },

        // Data (in-memory, so programming mistakes)
        StopCase("split a data set past its end", .data, mentions: ["Dataset.split(at:)", "index 5", "3 rows"]) {
            _ = Dataset(features: F.zeros([3, 2]), labels: [0, 1, 0]).split(at: 5)
        },
        StopCase("batches of size 0", .data, mentions: ["BatchIndices", "batch size 0"]) {
            _ = Dataset(features: F.zeros([3, 2]), labels: [0, 1, 0]).batches(size: 0, seed: 0)
        },

        // Round two (issue 12, item 13): traps that had no message.
        StopCase("CSV label column -1", .data, mentions: ["Dataset(csvAt:)", "labelColumn -1", "0-based"]) {
            _ = try? Dataset<Float>(csvAt: URL(fileURLWithPath: "/nonexistent.csv"), labelColumn: -1)
        },
        StopCase("CSV class count -1", .data, mentions: ["Dataset(csvAt:)", "classCount -1", "at least 1"]) {
            _ = try? Dataset<Float>(csvAt: URL(fileURLWithPath: "/nonexistent.csv"), classCount: -1)
        },
        StopCase("CSV feature scale NaN", .data, mentions: ["Dataset(csvAt:)", "featureScale nan", "finite scale"]) {
            _ = try? Dataset<Float>(csvAt: URL(fileURLWithPath: "/nonexistent.csv"), featureScale: .nan)
        },
        StopCase("zeros whose element count overflows Int", .shapes, mentions: ["Tensor", "[4294967296, 4294967296]", "overflows"]) {
            _ = F.zeros([1 << 32, 1 << 32])
        },
        StopCase("zeros whose byte count overflows Int", .shapes, mentions: ["Tensor", "[2305843009213693952]", "more bytes than can be addressed"]) {
            _ = F.zeros([1 << 61])
        },
        StopCase("reshape to a shape whose count overflows", .shapes, mentions: ["reshaped(to:)", "[4294967296, 4294967296, -1]", "overflows"]) {
            _ = F.zeros([4]).reshaped(to: [1 << 32, 1 << 32, -1])
        },
        StopCase("expand to a shape whose count overflows", .views, mentions: ["expanded(to:)", "[4294967296, 4294967296]", "overflows"]) {
            _ = F.zeros([1]).expanded(to: [1 << 32, 1 << 32])
        },
        StopCase("arange with more elements than can be addressed", .shapes, mentions: ["arange", "step 1e-300", "more than can be addressed"]) {
            _ = Tensor<Double>.arange(0, 1, step: 1e-300)
        },
        StopCase("concatenate of expanded views whose size overflows", .shapes, mentions: ["concatenate", "more than Int can count"]) {
            let v = F.zeros([1]).expanded(to: [1 << 59])
            _ = F.concatenate([v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v], alongAxis: 0)
        },
        StopCase("Xavier initialization of a shape whose fans overflow", .layers, mentions: ["fans(ofShape:)", "[4611686018427387904, 4611686018427387904]"]) {
            var g = TensorRandom(seed: 0)
            _ = F.xavierUniform([1 << 62, 1 << 62], using: &g)
        },
        StopCase("broadcast of two expanded views whose result overflows", .shapes, mentions: ["+", "[4294967296, 4294967296]", "overflows"]) {
            _ = F.zeros([1, 1]).expanded(to: [1 << 32, 1]) + F.zeros([1, 1]).expanded(to: [1, 1 << 32])
        },
    ]

    static let byName: [String: StopCase] = Dictionary(uniqueKeysWithValues: cases.map { ($0.name, $0) })
}

@Suite("Adversarial: programming mistakes stop with a clear message")
struct AdversarialStopTests {
    @Test("Each malformed call stops, naming the op, the shapes or values, and a fix", arguments: StopCatalogue.cases.map(\.name))
    func stops(_ name: String) async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [name] in
            StopCatalogue.byName[name]!.call()
        }
        expectStop(r, mentions: StopCatalogue.byName[name]!.mentions)
    }
}

// MARK: - Typed errors (input from outside the program)

/// A model (Float, with BatchNorm buffers and per-channel PReLU slopes) trained one Adam step,
/// its Double twin, and a scratch directory holding files the cases read.
final class Scene: @unchecked Sendable {
    let model = victimModel(seed: 1)
    let twin: Sequential<Double> = {
        var g = TensorRandom(seed: 2)
        return Sequential<Double>([Linear(3, 4, using: &g), BatchNorm1d(4), PReLU(channels: 4), Linear(4, 2, using: &g)])
    }()
    let optimizer: Adam<Float>
    let directory: URL

    init() {
        optimizer = Adam(parameters: model.parameters(of: Float.self), learningRate: 0.01)
        let x = Variable(Tensor<Float>.randomNormal([4, 3], seed: 3))
        let loss = crossEntropy(logits: model(x), labels: [0, 1, 1, 0])
        optimizer.zeroGradients()
        loss.backward()
        optimizer.step()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-adversarial-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// Writes `text` to a file in the scratch directory and returns its URL.
    func file(_ name: String, _ text: String) -> URL {
        let u = url(name)
        try! Data(text.utf8).write(to: u)
        return u
    }

    func file(_ name: String, bytes: [UInt8]) -> URL {
        let u = url(name)
        try! Data(bytes).write(to: u)
        return u
    }

    /// A 64-bit FNV-1a digest of every model tensor (both models), the training flags, the
    /// gradients, and the optimizer's per-parameter state (step counts and moments).
    func digest() -> [String: UInt64] {
        var d: [String: UInt64] = [:]
        for (name, t) in model.namedTensors() { d["model." + name] = fnv1a(t.littleEndianBytes()) }
        for (name, t) in twin.namedTensors() { d["twin." + name] = fnv1a(t.littleEndianBytes()) }
        for (i, p) in optimizer.parameters.enumerated() {
            d["grad.\(i)"] = p.gradient.map { fnv1a(tensorLittleEndianBytes($0)) } ?? 0
            guard let s = optimizer.slots.state(at: i) else { continue }
            let n = s.firstMoment.count
            d["adam.\(i).step"] = UInt64(s.step)
            d["adam.\(i).m"] = fnv1a(tensorLittleEndianBytes(s.firstMoment.tensor(shape: [n])))
            d["adam.\(i).v"] = fnv1a(tensorLittleEndianBytes(s.secondMoment.tensor(shape: [n])))
        }
        d["training"] = model.isTraining ? 1 : 0
        return d
    }
}

func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes {
        h ^= UInt64(b)
        h = h &* 0x0000_0100_0000_01B3
    }
    return h
}

/// A call that must throw an error of `errorType` whose description mentions `mentions`.
struct ThrowCase: Sendable {
    let name: String
    let category: MisuseCategory
    let errorType: any Error.Type
    let mentions: [String]
    let call: @Sendable (Scene) throws -> Void

    init(_ name: String, _ category: MisuseCategory, throws errorType: any Error.Type, mentions: [String], _ call: @escaping @Sendable (Scene) throws -> Void) {
        self.name = name
        self.category = category
        self.errorType = errorType
        self.mentions = mentions
        self.call = call
    }
}

enum ThrowCatalogue {
    static let cases: [ThrowCase] = [
        // Checkpoints
        ThrowCase("a float64 checkpoint into the Float model", .checkpoints, throws: CheckpointError.self,
                  mentions: ["nothing was loaded", "wrong dtype", "layers.0.weight (model F32, file F64)"]) { s in
            try s.twin.save(to: s.url("f64.safetensors"))
            try s.model.load(from: s.url("f64.safetensors"))
        },
        ThrowCase("a float32 checkpoint into the Double model", .checkpoints, throws: CheckpointError.self,
                  mentions: ["wrong dtype", "layers.0.weight (model F64, file F32)", "and 1 more"]) { s in
            try s.model.save(to: s.url("f32.safetensors"))
            try s.twin.load(from: s.url("f32.safetensors"))
        },
        ThrowCase("a checkpoint of wider layers", .checkpoints, throws: CheckpointError.self,
                  mentions: ["wrong shape", "layers.0.weight (model [4, 3], file [5, 3])"]) { s in
            try Sequential<Float>([Linear(3, 5), BatchNorm1d(5), PReLU(channels: 5), Linear(5, 2)]).save(to: s.url("wide.safetensors"))
            try s.model.load(from: s.url("wide.safetensors"))
        },
        ThrowCase("a checkpoint without the BatchNorm buffers", .checkpoints, throws: CheckpointError.self,
                  mentions: ["missing", "layers.1.runningMean", "layers.1.runningVar"]) { s in
            var file = SafeTensorsFile()
            for (name, t) in s.model.namedTensors() where !name.contains("running") {
                try file.append(name, dtype: .float32, shape: t.shape, bytes: t.littleEndianBytes())
            }
            try file.write(to: s.url("nobuffers.safetensors"))
            try s.model.load(from: s.url("nobuffers.safetensors"))
        },
        ThrowCase("a checkpoint with one tensor too many", .checkpoints, throws: CheckpointError.self,
                  mentions: ["unexpected", "layers.4.weight"]) { s in
            var file = try s.model.checkpoint()
            try file.append("layers.4.weight", Tensor<Float>.zeros([2, 2]))
            try file.write(to: s.url("extra.safetensors"))
            try s.model.load(from: s.url("extra.safetensors"))
        },
        ThrowCase("an empty checkpoint file", .checkpoints, throws: CheckpointError.self, mentions: ["0 bytes", "8-byte header length"]) { s in
            try s.model.load(from: s.file("empty.safetensors", bytes: []))
        },
        ThrowCase("a directory where the checkpoint should be", .checkpoints, throws: CheckpointError.self, mentions: ["cannot read"]) { s in
            try FileManager.default.createDirectory(at: s.url("dir.safetensors"), withIntermediateDirectories: false)
            try s.model.load(from: s.url("dir.safetensors"))
        },
        ThrowCase("a CSV file given as a checkpoint", .checkpoints, throws: CheckpointError.self, mentions: ["header length", "limit"]) { s in
            try s.model.load(from: s.file("digits.safetensors", "label,p0,p1\n0,1,2\n"))
        },
        ThrowCase("a checkpoint whose header is valid JSON but not an object of tensors", .checkpoints, throws: CheckpointError.self,
                  mentions: ["tensor \"layers.0.weight\"", "expected an object"]) { s in
            let header = #"{"layers.0.weight":42}"#
            var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init)
            bytes += Array(header.utf8)
            try s.model.load(from: s.file("bad.safetensors", bytes: bytes))
        },
        ThrowCase("saving below a regular file", .checkpoints, throws: CheckpointError.self, mentions: ["cannot write", "previous file"]) { s in
            let blocker = s.file("blocker", "not a directory")
            try s.model.save(to: blocker.appendingPathComponent("model.safetensors"))
        },

        // CSV data
        ThrowCase("a label column past the last field", .data, throws: DataError.self, mentions: ["labelColumn 5", "past the last column", "rows have 3 fields"]) { s in
            _ = try Dataset<Float>(csvAt: s.file("a.csv", "l,a,b\n1,2,3\n"), labelColumn: 5)
        },
        ThrowCase("a short row in a file without a header", .data, throws: DataError.self, mentions: ["line 4", "2 fields", "expected 3"]) { s in
            _ = try Dataset<Float>(csvAt: s.file("b.csv", "1,2,3\n0,1,1\n1,0,0\n1,2\n"), hasHeader: false)
        },
        ThrowCase("a bad field in a CRLF file", .data, throws: DataError.self, mentions: ["line 3", "column 3", "'x'"]) { s in
            _ = try Dataset<Float>(csvAt: s.file("c.csv", "l,a,b\r\n1,2,3\r\n1,2,x\r\n"))
        },
        ThrowCase("a label beyond a custom class count", .data, throws: DataError.self, mentions: ["line 3", "label '3'", "0..<3"]) { s in
            _ = try Dataset<Float>(csvAt: s.file("d.csv", "l,a\n0,1\n3,1\n"), classCount: 3)
        },
        ThrowCase("a feature that overflows to infinity", .data, throws: DataError.self, mentions: ["line 2", "'1e400'", "not a finite number"]) { s in
            _ = try Dataset<Float>(csvAt: s.file("e.csv", "l,a\n0,1e400\n"))
        },
        ThrowCase("a semicolon-separated file", .data, throws: DataError.self, mentions: ["line 2", "label '1;2;3'", "not an integer"]) { s in
            _ = try Dataset<Float>(csvAt: s.file("f.csv", "l;a;b\n1;2;3\n"))
        },
        ThrowCase("an empty label field", .data, throws: DataError.self, mentions: ["line 2", "label ''", "not an integer"]) { s in
            _ = try Dataset<Float>(csvAt: s.file("g.csv", "l,a\n,1\n"))
        },
        ThrowCase("a directory given as the data file", .data, throws: DataError.self, mentions: ["cannot read"]) { s in
            _ = try Dataset<Float>.digits(at: s.directory)
        },

        // Activation specs (command-line values)
        ThrowCase("a swish beta beyond Float's range", .specs, throws: ActivationSpecError.self, mentions: ["swish", "beta=1e39", "Float's range"]) { _ in
            _ = try ActivationSpec(parsing: "swish:beta=1e39")
        },
        ThrowCase("a softmax axis out of range", .specs, throws: ActivationSpecError.self, mentions: ["softmax", "axis=99", "-16...15"]) { _ in
            _ = try ActivationSpec(parsing: "softmax:axis=99")
        },
        ThrowCase("a negative PReLU channel count", .specs, throws: ActivationSpecError.self, mentions: ["prelu", "channels=-3"]) { _ in
            _ = try ActivationSpec(parsing: "prelu:channels=-3")
        },
        ThrowCase("a value with a second colon", .specs, throws: ActivationSpecError.self, mentions: ["elu", "alpha=1:2", "not a number"]) { _ in
            _ = try ActivationSpec(parsing: "elu:alpha=1:2")
        },
        ThrowCase("a NaN threshold value", .specs, throws: ActivationSpecError.self, mentions: ["threshold", "value=nan"]) { _ in
            _ = try ActivationSpec(parsing: "threshold:threshold=1,value=nan")
        },
        ThrowCase("an upper-case name", .specs, throws: ActivationSpecError.self, mentions: ["unknown activation 'ELU'", "did you mean 'elu'"]) { _ in
            _ = try ActivationSpec(parsing: "ELU")
        },
        ThrowCase("RReLU bounds in the wrong order", .specs, throws: ActivationSpecError.self, mentions: ["rrelu", "upper=0.2"]) { _ in
            _ = try ActivationSpec(parsing: "rrelu:lower=0.4,upper=0.2")
        },
        ThrowCase("maxout with zero inputs, through the catalogue factory", .specs, throws: ActivationSpecError.self, mentions: ["maxout", "inputs=0", "1...4096"]) { _ in
            _ = try ActivationCatalogue.makeLayer("maxout:inputs=0,outputs=2,pieces=2", as: Float.self)
        },
        // Round two (issue 12).
        ThrowCase("a CSV feature that overflows Float", .data, throws: DataError.self,
                  mentions: ["line 3", "column 3", "'1e300'", "outside Float's range"]) { s in
            _ = try Dataset<Float>(csvAt: s.file("big.csv", "label,a,b\n0,1,2\n1,3,1e300\n"))
        },
        ThrowCase("a CSV feature that overflows Float only once scaled", .data, throws: DataError.self,
                  mentions: ["line 2", "column 2", "'2'", "scaled by 1e+300", "outside Float's range"]) { s in
            _ = try Dataset<Float>(csvAt: s.file("scaled.csv", "label,a\n0,2\n"), featureScale: 1e300)
        },
        ThrowCase("a CSV from a named pipe", .data, throws: DataError.self, mentions: ["not a regular file", "named pipe"]) { s in
            let u = s.url("pipe.csv")
            #expect(mkfifo(u.path, 0o600) == 0)
            _ = try Dataset<Float>(csvAt: u)
        },
        ThrowCase("a CSV from /dev/zero", .data, throws: DataError.self, mentions: ["/dev/zero", "not a regular file", "character device"]) { _ in
            _ = try Dataset<Float>(csvAt: URL(fileURLWithPath: "/dev/zero"))
        },
        ThrowCase("a CSV from /dev/null", .data, throws: DataError.self, mentions: ["/dev/null", "not a regular file"]) { _ in
            _ = try Dataset<Float>(csvAt: URL(fileURLWithPath: "/dev/null"))
        },
        ThrowCase("a CSV path with a newline in it", .data, throws: DataError.self, mentions: ["bad\\nname.csv"]) { s in
            _ = try Dataset<Float>(csvAt: s.url("bad\nname.csv"))
        },
        ThrowCase("a checkpoint from a named pipe", .checkpoints, throws: CheckpointError.self, mentions: ["not a regular file", "named pipe"]) { s in
            let u = s.url("pipe.safetensors")
            #expect(mkfifo(u.path, 0o600) == 0)
            try s.model.load(from: u)
        },
        ThrowCase("a checkpoint from /dev/zero", .checkpoints, throws: CheckpointError.self, mentions: ["/dev/zero", "not a regular file"]) { s in
            try s.model.load(from: URL(fileURLWithPath: "/dev/zero"))
        },
        ThrowCase("a checkpoint tensor name with a newline", .checkpoints, throws: CheckpointError.self,
                  mentions: ["unexpected layers.9\\nweight"]) { s in
            var file = try s.model.checkpoint()
            try file.append("layers.9\nweight", Tensor<Float>.zeros([1]))
            try s.model.load(file)
        },
        ThrowCase("a checkpoint with 200,000 unexpected names", .checkpoints, throws: CheckpointError.self,
                  mentions: ["unexpected extra.0, extra.1, extra.10,", "and 199992 more"]) { s in
            var file = try s.model.checkpoint()
            for i in 0..<200_000 { try file.append("extra.\(i)", dtype: .float32, shape: [0], bytes: []) }
            do {
                try s.model.load(file)
            } catch {
                let text = String(describing: error)
                #expect(text.count < 1_000, "the message has \(text.count) characters")
                throw error
            }
        },
        ThrowCase("saving over a directory", .checkpoints, throws: CheckpointError.self, mentions: ["is a directory"]) { s in
            try s.model.save(to: s.directory)
        },
        ThrowCase("saving over a named pipe", .checkpoints, throws: CheckpointError.self, mentions: ["not a regular file", "named pipe"]) { s in
            // (A pipe rather than /dev/null: a broken check would replace the device as root.)
            let u = s.url("pipe-out.safetensors")
            #expect(mkfifo(u.path, 0o600) == 0)
            try s.model.save(to: u)
        },
        ThrowCase("saving under a name too long for the file system", .checkpoints, throws: CheckpointError.self, mentions: ["256 bytes long", "allows 255"]) { s in
            try s.model.save(to: s.url(String(repeating: "m", count: 256)))
        },
        ThrowCase("a Sequential whose builder meets a bad spec", .specs, throws: ActivationSpecError.self, mentions: ["unknown activation 'relu7'"]) { _ in
            _ = try Sequential<Float> {
                Linear(3, 4)
                try ActivationCatalogue.makeLayer("relu7", as: Float.self)
            }
        },
    ]

    static let byName: [String: ThrowCase] = Dictionary(uniqueKeysWithValues: cases.map { ($0.name, $0) })
}

@Suite("Adversarial: outside input throws a typed error and changes nothing")
struct AdversarialThrowTests {
    @Test("Each malformed input throws the typed error; model, buffers and optimizer state hash the same", arguments: ThrowCatalogue.cases.map(\.name))
    func throwsAndChangesNothing(_ name: String) {
        let c = ThrowCatalogue.byName[name]!
        let scene = Scene()
        let before = scene.digest()
        do {
            try c.call(scene)
            Issue.record("\(name): no error thrown")
        } catch {
            #expect(ObjectIdentifier(type(of: error)) == ObjectIdentifier(c.errorType), "\(name): \(type(of: error)) thrown")
            let text = String(describing: error)
            for m in c.mentions { #expect(text.contains(m), "\(name): message lacks \"\(m)\": \(text)") }
            #expect(!text.contains("\n"), "\(name): the message is not one line")
        }
        let after = scene.digest()
        #expect(after == before, "\(name): changed \(after.filter { before[$0.key] != $0.value }.keys.sorted())")
    }

    @Test("A failed load, parse or read between forward and backward leaves the graph usable: same gradients")
    func graphSurvivesThrownErrors() throws {
        func gradients(interrupted: Bool) throws -> [[Float]] {
            let scene = Scene()
            let x = Variable(Tensor<Float>.randomNormal([4, 3], seed: 7))
            let loss = crossEntropy(logits: scene.model(x), labels: [1, 0, 1, 1])
            if interrupted {
                // The saved tensors of this graph are the model's parameters: a load that wrote
                // into them would trip the engine's version check or change the gradient.
                try scene.twin.save(to: scene.url("f64.safetensors"))
                #expect(throws: CheckpointError.self) { try scene.model.load(from: scene.url("f64.safetensors")) }
                #expect(throws: ActivationSpecError.self) { try ActivationSpec(parsing: "elu:alpha=-1") }
                #expect(throws: DataError.self) { try Dataset<Float>(csvAt: scene.file("bad.csv", "l,a\n0,x\n")) }
            }
            scene.optimizer.zeroGradients()
            loss.backward()
            return scene.model.parameters(of: Float.self).map { $0.gradient!.scalars }
        }
        let clean = try gradients(interrupted: false)
        let interrupted = try gradients(interrupted: true)
        #expect(clean.count == 7)
        for (a, b) in zip(clean, interrupted) { #expect(bitIdentical(a, b)) }
    }

    @Test("After a failed load the optimizer trains on exactly as before")
    func trainingContinuesAfterFailedLoad() throws {
        func stepped(interrupted: Bool) throws -> [String: UInt64] {
            let scene = Scene()
            if interrupted {
                try scene.twin.save(to: scene.url("f64.safetensors"))
                #expect(throws: CheckpointError.self) { try scene.model.load(from: scene.url("f64.safetensors")) }
            }
            let x = Variable(Tensor<Float>.randomNormal([4, 3], seed: 9))
            let loss = crossEntropy(logits: scene.model(x), labels: [0, 0, 1, 1])
            scene.optimizer.zeroGradients()
            loss.backward()
            scene.optimizer.step()
            return scene.digest()
        }
        #expect(try stepped(interrupted: true) == stepped(interrupted: false))
    }
}

// MARK: - The command-line tool

/// A `tapegrad` invocation that must fail with one `tapegrad: …` line on stderr and exit code 2.
struct CLICase: Sendable {
    let name: String
    let arguments: [String]
    let mentions: [String]

    init(_ name: String, _ arguments: [String], mentions: [String]) {
        self.name = name
        self.arguments = arguments
        self.mentions = mentions
    }
}

enum CLICatalogue {
    /// `%IN%` in an argument is replaced by a scratch directory holding the input files below.
    static let cases: [CLICase] = [
        CLICase("unknown command", ["frobnicate"], mentions: ["unknown command 'frobnicate'", "tapegrad help"]),
        CLICase("unknown option", ["train", "--learning-rate", "0.1"], mentions: ["unknown option '--learning-rate'"]),
        CLICase("stray positional argument", ["train", "epochs"], mentions: ["unexpected argument 'epochs'"]),
        CLICase("--epochs not a number", ["train", "--epochs", "ten"], mentions: ["--epochs ten", "an integer in 1...100000"]),
        CLICase("--epochs 0", ["train", "--epochs=0"], mentions: ["--epochs 0", "an integer in 1...100000"]),
        CLICase("--epochs without a value", ["train", "--epochs"], mentions: ["--epochs (missing)"]),
        CLICase("--lr NaN", ["train", "--lr", "NaN"], mentions: ["--lr NaN", "a number in 0.0...1000.0"]),
        CLICase("--lr negative", ["train", "--lr", "-0.1"], mentions: ["--lr -0.1"]),
        CLICase("--batch-size 0", ["train", "--batch-size", "0"], mentions: ["--batch-size 0"]),
        CLICase("--seed negative", ["train", "--seed", "-5"], mentions: ["--seed -5"]),
        CLICase("--threads 0", ["train", "--threads", "0"], mentions: ["--threads 0", "1...256"]),
        CLICase("--model unknown", ["train", "--model", "transformer"], mentions: ["--model transformer", "mlp, cnn or maxout"]),
        CLICase("--optimizer unknown", ["train", "--optimizer", "lbfgs"], mentions: ["--optimizer lbfgs", "adam, adamw, sgd, rmsprop or adagrad"]),
        CLICase("--activation unknown", ["train", "--activation", "relux", "--epochs", "1"], mentions: ["--activation relux", "unknown activation 'relux'", "did you mean 'relu'"]),
        CLICase("--activation outside its domain", ["train", "--activation", "elu:alpha=0"], mentions: ["--activation elu:alpha=0", "alpha must be > 0"]),
        CLICase("--activation not element-wise", ["train", "--activation", "softmax"], mentions: ["--activation softmax", "element-wise"]),
        CLICase("--compare with an empty list", ["train", "--compare", ","], mentions: ["--compare ,", "comma-separated"]),
        CLICase("--compare with one bad entry", ["train", "--compare", "relu,nope"], mentions: ["unknown activation 'nope'"]),
        CLICase("--data missing file", ["train", "--data", "%IN%/missing.csv"], mentions: ["missing.csv", "no file at"]),
        CLICase("--data malformed CSV", ["train", "--data", "%IN%/bad.csv"], mentions: ["bad.csv", "line 3", "2 fields, expected 3"]),
        CLICase("--data with too few rows", ["train", "--data", "%IN%/small.csv"], mentions: ["small.csv", "3 rows", "need more than 360"]),
        CLICase("--data a directory", ["train", "--data", "%IN%"], mentions: ["cannot read"]),
        CLICase("--save into a missing directory", ["train", "--epochs", "1", "--save", "%IN%/nowhere/model.safetensors"], mentions: ["nowhere", "does not exist", "nothing was trained"]),
        CLICase("--save with --compare", ["train", "--compare", "relu,tanh", "--save", "m.safetensors"], mentions: ["--save m.safetensors with --compare"]),
        CLICase("gradcheck of an unknown activation", ["gradcheck", "--activation", "nope"], mentions: ["--activation nope", "one of"]),
        CLICase("gradcheck --points 0", ["gradcheck", "--points", "0"], mentions: ["--points 0"]),
        CLICase("plot of an unknown activation", ["plot", "--activation", "nope"], mentions: ["--activation nope"]),
        CLICase("bench with an unknown suite", ["bench", "--suite", "gpu"], mentions: ["--suite gpu", "elementwise, activation, tape, matmul, memory, data, probe, layers or scaling"]),
        CLICase("demo with a missing data file", ["demo", "--data", "%IN%/missing.csv"], mentions: ["missing.csv"]),
        CLICase("list with an unknown option", ["list", "--all"], mentions: ["unknown option '--all'"]),

        // Round two (issue 12). Item 1: a model/data mismatch from a file, before training.
        CLICase("--data with 2 features", ["train", "--data", "%IN%/two.csv"], mentions: ["two.csv", "rows have 2 features", "takes 64"]),
        CLICase("--data with 70 features", ["train", "--data", "%IN%/seventy.csv"], mentions: ["rows have 70 features", "takes 64"]),
        CLICase("--data with labels only", ["train", "--data", "%IN%/labels.csv"], mentions: ["rows have 0 features"]),
        CLICase("--model cnn on 2 features", ["train", "--model", "cnn", "--data", "%IN%/two.csv"], mentions: ["rows have 2 features", "the cnn model takes 64"]),
        CLICase("demo on a 1-row file", ["demo", "--data", "%IN%/one.csv"], mentions: ["1 row", "at least 2"]),
        // Item 2: a spec value that does not fit the model.
        CLICase("prelu channels for neither layer", ["train", "--activation", "prelu:channels=4"], mentions: ["prelu:channels=4", "channels=128", "first activation"]),
        CLICase("prelu channels for the first layer only", ["train", "--activation", "prelu:channels=128"], mentions: ["channels=64", "second activation"]),
        CLICase("prelu channels in the cnn", ["train", "--model", "cnn", "--activation", "prelu:channels=16"], mentions: ["channels=32", "cnn's second activation"]),
        CLICase("trainable swish channels", ["train", "--activation", "trainable_swish:channels=5"], mentions: ["trainable_swish:channels=5", "channels=128"]),
        CLICase("prelu channels inside --compare", ["train", "--compare", "relu,prelu:channels=3"], mentions: ["prelu:channels=3"]),
        // Item 3: outputs checked before training.
        CLICase("--save naming an existing directory", ["train", "--save", "%IN%"], mentions: ["is a directory", "nothing was trained"]),
        CLICase("--save /", ["train", "--save", "/"], mentions: ["names a directory", "nothing was trained"]),
        CLICase("--save .", ["train", "--save", "."], mentions: ["directory", "nothing was trained"]),
        CLICase("--save ..", ["train", "--save", ".."], mentions: ["directory", "nothing was trained"]),
        CLICase("--save a name too long", ["train", "--save", "%IN%/" + String(repeating: "n", count: 256)], mentions: ["256 bytes long", "allows 255", "nothing was trained"]),
        CLICase("--save a named pipe", ["train", "--save", "%IN%/out.fifo"], mentions: ["not a regular file", "nothing was trained"]),
        CLICase("--plot into a missing directory", ["train", "--plot", "%IN%/nowhere/loss.svg"], mentions: ["loss plot", "does not exist", "nothing was trained"]),
        CLICase("--plot naming a directory", ["train", "--plot", "%IN%"], mentions: ["loss plot", "is a directory"]),
        CLICase("--plot into an unwritable place", ["train", "--plot", "/proc/loss.svg"], mentions: ["loss plot", "cannot create a file in /proc"]),
        CLICase("--plot under a regular file", ["train", "--plot", "%IN%/two.csv/loss.svg"], mentions: ["loss plot", "not a directory"]),
        CLICase("--save and --plot the same file", ["train", "--save", "%IN%/same.out", "--plot", "%IN%/same.out"], mentions: ["same file", "nothing was trained"]),
        CLICase("--save over the data file", ["train", "--data", "%IN%/digits64.csv", "--save", "%IN%/digits64.csv"], mentions: ["is the data file", "nothing was trained"]),
        CLICase("--activation with --compare", ["train", "--activation", "bogus", "--compare", "relu"], mentions: ["--activation bogus with --compare"]),
        CLICase("bench --only with another suite", ["bench", "--suite", "matmul", "--only", "relu"], mentions: ["--only applies to the activation and scaling suites"]),
        CLICase("bench --steps without the memory suite", ["bench", "--steps", "5"], mentions: ["--steps applies to --suite memory"]),
        CLICase("--activation with the maxout model", ["train", "--model", "maxout", "--activation", "elu"], mentions: ["--activation with --model maxout", "no activation"]),
        // Item 4: empty values are errors, switches take no value.
        CLICase("--save with an empty value", ["train", "--save", ""], mentions: ["--save (empty)"]),
        CLICase("--save= with nothing after it", ["train", "--save="], mentions: ["--save (empty)"]),
        CLICase("--save at the end", ["train", "--save"], mentions: ["--save (missing)"]),
        CLICase("--model=", ["train", "--model="], mentions: ["--model (empty)"]),
        CLICase("--optimizer=", ["train", "--optimizer="], mentions: ["--optimizer (empty)"]),
        CLICase("--activation=", ["train", "--activation="], mentions: ["--activation (empty)"]),
        CLICase("--data=", ["train", "--data="], mentions: ["--data (empty)"]),
        CLICase("plot --output with an empty value", ["plot", "--output", ""], mentions: ["--output (empty)"]),
        CLICase("--json=false", ["list", "--json=false"], mentions: ["--json takes no value"]),
        CLICase("list --json with a stray word", ["list", "--json", "extra"], mentions: ["unexpected argument 'extra'"]),
        CLICase("train --quiet=yes", ["train", "--quiet=yes"], mentions: ["--quiet takes no value"]),
        // Item 9: a value that is finite as a Double but not as a Float.
        CLICase("--data with 1e300", ["train", "--data", "%IN%/huge.csv"], mentions: ["line 2", "column 3", "'1e300'", "outside Float's range"]),
        // Item 12: control characters from outside stay on one line, escaped.
        CLICase("a newline in an activation spec", ["train", "--activation", "relu\nx"], mentions: ["relu\\nx"]),
        CLICase("a newline and a NUL-free tab in a data path", ["train", "--data", "%IN%/a\nb\tc.csv"], mentions: ["a\\nb\\tc.csv", "no file at"]),
        // Item 18: files that are not regular files; CR-only line ends.
        CLICase("--data /dev/zero", ["train", "--data", "/dev/zero"], mentions: ["/dev/zero", "not a regular file"]),
        CLICase("--data /dev/null", ["train", "--data", "/dev/null"], mentions: ["/dev/null", "not a regular file"]),
        CLICase("--data a named pipe", ["train", "--data", "%IN%/in.fifo"], mentions: ["not a regular file", "named pipe"]),
        CLICase("--data with CR-only line ends", ["train", "--data", "%IN%/cr.csv"], mentions: ["cr.csv", "3 rows", "need more than 360"]),
    ]

    /// Input files for `%IN%` (a name ending in `.fifo` is made a named pipe).
    static let inputs: [String: String] = [
        "bad.csv": "label,a,b\n1,2,3\n4,5\n",
        "small.csv": "label,a\n0,1\n1,2\n2,3\n",
        "two.csv": rows(400, features: 2),
        "seventy.csv": rows(400, features: 70),
        "digits64.csv": rows(400, features: 64),
        "labels.csv": rows(400, features: 0),
        "one.csv": "label,a\n1,2\n",
        "huge.csv": "label,a,b\n0,1,1e300\n" + rows(400, features: 2, header: false),
        "cr.csv": "label,a\r0,1\r1,2\r2,3\r",
        "in.fifo": "",
        "out.fifo": "",
    ]

    /// A CSV of `count` rows: a label 0…9, then `features` small integers.
    static func rows(_ count: Int, features: Int, header: Bool = true) -> String {
        var text = header ? (["label"] + (0..<features).map { "p\($0)" }).joined(separator: ",") + "\n" : ""
        for r in 0..<count {
            text += ([String(r % 10)] + (0..<features).map { String(($0 + r) % 17) }).joined(separator: ",") + "\n"
        }
        return text
    }

    /// Runs `tool` with `arguments` in `directory`, standard input empty; what it printed and
    /// how it ended.
    static func run(_ tool: URL, _ arguments: [String], in directory: URL) throws
        -> (reason: Process.TerminationReason, status: Int32, stdout: String, stderr: String)
    {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationReason, process.terminationStatus, stdout, stderr)
    }

    /// The `tapegrad` executable beside this test bundle's build products (`swift build` and
    /// `swift test` build every product, the tool included).
    static func executable() -> URL? {
        var candidates: [URL] = []
        // Bundle.module lives in the build directory: .build/<triple>/<config>/Tapegrad_NNTests.resources
        candidates.append(Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("tapegrad"))
        // Else the package checkout's default debug build.
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        candidates.append(root.appendingPathComponent(".build/debug/tapegrad"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

@Suite("Adversarial: the tapegrad tool reports bad flags and files on one line and exits 2")
struct AdversarialCLITests {
    @Test("Each bad invocation prints one 'tapegrad: …' line, exits 2, writes nothing", arguments: CLICatalogue.cases.map(\.name))
    func rejects(_ name: String) throws {
        let c = CLICatalogue.cases.first { $0.name == name }!
        let tool = try #require(CLICatalogue.executable(), "the tapegrad executable was not built (run swift build)")
        let fm = FileManager.default
        let inputs = fm.temporaryDirectory.appendingPathComponent("tapegrad-cli-in-\(UUID().uuidString)")
        let work = fm.temporaryDirectory.appendingPathComponent("tapegrad-cli-cwd-\(UUID().uuidString)")
        try fm.createDirectory(at: inputs, withIntermediateDirectories: true)
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer {
            try? fm.removeItem(at: inputs)
            try? fm.removeItem(at: work)
        }
        for (file, text) in CLICatalogue.inputs {
            let u = inputs.appendingPathComponent(file)
            if file.hasSuffix(".fifo") {
                #expect(mkfifo(u.path, 0o600) == 0)
            } else {
                try Data(text.utf8).write(to: u)
            }
        }
        let inputListing = try fm.contentsOfDirectory(atPath: inputs.path).sorted()

        let run = try CLICatalogue.run(tool, c.arguments.map { $0.replacingOccurrences(of: "%IN%", with: inputs.path) }, in: work)
        let stdout = run.stdout, stderr = run.stderr

        #expect(run.reason == .exit, "\(name): terminated by signal \(run.status): \(stderr)")
        #expect(run.status == 2, "\(name): exit status \(run.status): \(stderr)")
        #expect(stdout.isEmpty, "\(name): printed on stdout: \(stdout)")
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "\(name): stderr is not one line: \(stderr)")
        #expect(stderr.hasPrefix("tapegrad: "), "\(name): \(stderr)")
        for m in c.mentions { #expect(stderr.contains(m), "\(name): message lacks \"\(m)\": \(stderr)") }
        #expect(try fm.contentsOfDirectory(atPath: work.path).isEmpty, "\(name): wrote into its working directory")
        #expect(try fm.contentsOfDirectory(atPath: inputs.path).sorted() == inputListing, "\(name): changed the input directory")
    }
}

// MARK: - The catalogue as a whole

@Suite("Adversarial catalogue")
struct AdversarialCatalogueTests {
    @Test("Names are unique and every category is used")
    func wellFormed() {
        let names = StopCatalogue.cases.map(\.name) + ThrowCatalogue.cases.map(\.name) + CLICatalogue.cases.map(\.name)
        #expect(Set(names).count == names.count)
        let used = Set(StopCatalogue.cases.map(\.category) + ThrowCatalogue.cases.map(\.category)).union([.cli])
        #expect(used == Set(MisuseCategory.allCases))
    }
}
