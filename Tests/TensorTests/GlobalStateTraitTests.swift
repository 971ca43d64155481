import Testing
import TestSupport

/// `.globalState` excludes tests from one another across suites and test targets (the other
/// half is `GlobalStateTraitAutogradTests` in AutogradTests): each test stays inside a probe for
/// 20 ms and must find itself alone there. Without the trait, tests of the two suites and the
/// cases of each parameterized test run in parallel and meet.
@Suite(.globalState) struct GlobalStateTraitTests {
    @Test(arguments: 0..<3)
    func testsMarkedGlobalStateNeverOverlap(_ round: Int) async {
        let most = await GlobalStateProbe.occupy(milliseconds: 20)
        #expect(most == 1, "round \(round): \(most) tests inside at once")
    }
}
