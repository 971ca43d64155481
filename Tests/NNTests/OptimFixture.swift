import Foundation

/// The fixture written by Scripts/torch_optim_reference.py (PyTorch's values, float64 repr).
enum OptimFixture {
    nonisolated(unsafe) static let json: [String: Any] = {
        let url = Bundle.module.url(forResource: "torch_optim", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    static func doubles(_ any: Any?) -> [Double] { (any as! [String]).map { Double($0)! } }
    static var optimizers: [String: [String: Any]] { json["optimizers"] as! [String: [String: Any]] }
    static var schedules: [String: [String: Any]] { json["schedules"] as! [String: [String: Any]] }
    static var losses: [String: [String: Any]] { json["losses"] as! [String: [String: Any]] }
    static var initial: [[Double]] { (json["initial"] as! [Any]).map(doubles) }
    static var shapes: [[Int]] { json["shapes"] as! [[Int]] }
    /// Per step, per parameter: the gradient, or nil where the parameter gets none.
    static var gradients: [[[Double]?]] {
        (json["gradients"] as! [[Any]]).map { step in step.map { $0 is NSNull ? nil : doubles($0) } }
    }
}
