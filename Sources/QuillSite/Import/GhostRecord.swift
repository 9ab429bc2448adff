import Foundation

/// One row of an export table, read by field name. Only the fields the importer asks for are
/// ever read, which is how secrets (password hashes, emails, keys) never enter the import at all.
struct GhostRecord {
    let fields: [String: Any]

    /// A non-empty string, or nil for a missing, null or empty field. Numbers are given as text,
    /// because some exports write ids and flags as numbers.
    func string(_ key: String) -> String? {
        switch fields[key] {
        case let value as String: return value.isEmpty ? nil : value
        case let value as NSNumber: return value.stringValue
        default: return nil
        }
    }

    func int(_ key: String) -> Int? {
        switch fields[key] {
        case let value as NSNumber: return value.intValue
        case let value as String: return Int(value)
        default: return nil
        }
    }

    /// Ghost wrote flags as true/false, 0/1 or "0"/"1" depending on version and database.
    func bool(_ key: String) -> Bool? {
        switch fields[key] {
        case let value as NSNumber: return value.intValue != 0
        case let value as String: return ["1", "true"].contains(value.lowercased())
        default: return nil
        }
    }

    func isPresent(_ key: String) -> Bool {
        guard let value = fields[key] else { return false }
        return !(value is NSNull)
    }

    /// The raw value, for dates that may be strings or epoch milliseconds.
    func raw(_ key: String) -> Any? {
        guard let value = fields[key], !(value is NSNull) else { return nil }
        return value
    }
}
