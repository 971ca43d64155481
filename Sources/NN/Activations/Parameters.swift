import Autograd

/// Stops with a message for an activation hyperparameter outside its domain (a programming
/// mistake in model code).
func checkActivationParameter(_ ok: Bool, _ op: String, _ value: @autoclosure () -> String, _ fix: @autoclosure () -> String) {
    tensorCheck(ok, "\(op): \(value()) is not allowed. Fix: \(fix()).")
}
