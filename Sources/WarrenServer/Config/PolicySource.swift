import WarrenPolicy
import WarrenSpawn

/// Loads and compiles the policy files a config names, for `warren serve` and `warren check`.
public enum PolicySource {
    /// Fails closed: until the policy loader is part of this build, a config that names a policy is
    /// rejected rather than served unconfined.
    public static func load(path: String) throws(Diagnostics) -> Policy {
        throw Diagnostics([
            Diagnostic(file: path, line: nil, message: "policy files cannot be loaded by this build yet")
        ])
    }
}

extension ConfigLoader {
    /// The loader `Server` calls on start and on SIGHUP.
    public static func serverLoader(path: String) throws(ConfigErrors) -> LoadedConfig {
        do throws(Diagnostics) {
            return try load(path: path, host: HostFeatures.detect(), policies: PolicySource.load)
        } catch {
            throw ConfigErrors(error.items.map(\.description))
        }
    }
}
