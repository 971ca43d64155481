import Synchronization
import Testing

// Tests that change process-wide state (`TensorRuntime.threadCount`, and anything else static
// and settable: `TensorRuntime.countsLiveObjects`, `manualSeed(_:)`) must not overlap one
// another, in any suite or test target: all test targets run in one process, and Swift Testing
// runs tests in parallel. `.serialized` only orders the tests of one suite, so such tests take
// `.globalState` instead (on the test, or on a suite, where it covers every test inside): a
// process-wide lock held for the whole test.
//
// Tests that only read the state (kernels run at whatever thread count is set) need not take
// it: their results do not depend on the thread count (ParallelKernelTests checks exactly that).

/// A first-come, first-served lock for async code: waiting suspends the task instead of
/// blocking one of the few cooperative threads.
actor AsyncLock {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func lock() async {
        if !locked {
            locked = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
        // Handed over by unlock(): `locked` stays true.
    }

    func unlock() {
        if waiters.isEmpty {
            locked = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}

enum GlobalStateLock {
    static let lock = AsyncLock()
    /// Whether the current task (or a task it started) already holds the lock (the lock is not
    /// reentrant; a scope nested in a holder's just runs).
    @TaskLocal static var isHeld = false
}

/// The trait behind `.globalState`.
public struct GlobalStateTrait: TestTrait, SuiteTrait, TestScoping {
    /// On a suite: applies to every test in it (and in its nested suites).
    public var isRecursive: Bool { true }

    /// The lock is taken around each test case (a test function that takes no arguments has
    /// one), not around a whole suite: the cases of a parameterized test would otherwise run
    /// concurrently under one hold.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        test.isSuite || testCase == nil ? nil : self
    }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        if GlobalStateLock.isHeld {
            try await function()
            return
        }
        await GlobalStateLock.lock.lock()
        do {
            try await GlobalStateLock.$isHeld.withValue(true) { try await function() }
        } catch {
            await GlobalStateLock.lock.unlock()
            throw error
        }
        await GlobalStateLock.lock.unlock()
    }
}

extension Trait where Self == GlobalStateTrait {
    /// The test changes process-wide state (`TensorRuntime.threadCount`, `countsLiveObjects`,
    /// `manualSeed`): it runs while no other test marked so runs, in any suite or target.
    public static var globalState: Self { Self() }
}

/// For the lock's own tests: how many tests are inside `occupy` at once.
public enum GlobalStateProbe {
    static let inside = Atomic<Int>(0)

    /// Stays inside for about `milliseconds` and returns the most tests seen inside at once
    /// (1 when the callers are mutually excluded).
    public static func occupy(milliseconds: Int) async -> Int {
        var most = inside.add(1, ordering: .sequentiallyConsistent).newValue
        for _ in 0..<milliseconds {
            try? await Task.sleep(for: .milliseconds(1))
            most = max(most, inside.load(ordering: .sequentiallyConsistent))
        }
        inside.subtract(1, ordering: .sequentiallyConsistent)
        return most
    }
}
