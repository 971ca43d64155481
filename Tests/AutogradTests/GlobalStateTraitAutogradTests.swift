import Testing
import TestSupport

/// The other half of `GlobalStateTraitTests` (TensorTests): a second suite, in a second test
/// target, whose `.globalState` tests must never overlap with those.
@Suite struct GlobalStateTraitAutogradTests {
    @Test(.globalState, arguments: 0..<3)
    func testsMarkedGlobalStateNeverOverlapAcrossTargets(_ round: Int) async {
        let most = await GlobalStateProbe.occupy(milliseconds: 20)
        #expect(most == 1, "round \(round): \(most) tests inside at once")
    }
}
