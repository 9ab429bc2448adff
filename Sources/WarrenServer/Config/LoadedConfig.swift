import WarrenSpawn

/// Every error found in a config and the policies it names, each `FILE:LINE: message`.
public struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var messages: [String]

    public init(_ messages: [String]) {
        self.messages = messages
    }

    public var description: String { messages.joined(separator: "\n") }
}

/// A validated config with one compiled spawn plan per service (by name): everything a spawn needs,
/// built once at start or reload.
public struct LoadedConfig: Sendable {
    public var config: ServerConfig
    public var plans: [String: SpawnPlan]
    /// What the host cannot enforce of the policies' limits, one line each, for start-up, reload and
    /// `warren check`.
    public var warnings: [String]

    public init(config: ServerConfig, plans: [String: SpawnPlan], warnings: [String] = []) {
        self.config = config
        self.plans = plans
        self.warnings = warnings
    }
}
