import CWarrenSpawn
import WarrenPolicy
import WarrenSystem

/// The immutable per-service plan the C spawn path reads: built once at load or reload, shared by
/// every connection of the service, released when no spawn can read it any more.
public final class SpawnPlan: @unchecked Sendable {
    /// The engine as the host sees it.
    public let engine: String
    /// argv, argv[0] included.
    public let arguments: [String]
    /// The policy's environment, appended after the per-connection UCSPI variables.
    public let policyEnvironment: [String]
    public let policy: Policy?

    private let path: CStringArray
    private let argv: CStringArray
    // `@unchecked Sendable`: `plan` points into the arrays above and is never written after init.
    var plan: warren_plan

    /// - Parameters:
    ///   - engine: absolute path of the engine binary on the host.
    ///   - arguments: the service's arguments (argv[1...] after the policy's own).
    ///   - policy: the compiled policy; nil runs the engine unconfined (tests of the bare path only).
    public init(engine: String, arguments: [String], policy: Policy?) throws(Errno) {
        self.engine = engine
        self.policy = policy
        let argv = [engine] + (policy?.arguments ?? []) + arguments
        self.arguments = argv
        self.policyEnvironment = (policy?.environment ?? []).map { "\($0.name)=\($0.value)" }
        self.path = CStringArray([engine])
        self.argv = CStringArray(argv)
        self.plan = warren_plan(path: UnsafePointer(self.path.pointer[0]), argv: self.argv.pointer)
    }
}
