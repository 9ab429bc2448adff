import WarrenPolicy
import WarrenSpawn

/// Loads and compiles the policy files a config names, for `warren serve` and `warren check`.
public enum PolicySource {
    /// Reads, validates and compiles one policy file (and the files it extends).
    public static func load(path: String) throws(Diagnostics) -> Policy {
        try PolicyLoader.load(path: path)
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
