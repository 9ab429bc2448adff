import Foundation

/// The hand-written Ghost exports under Fixtures/ghost and a scratch site folder per test.
enum ImportFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/ghost").path

    static let exports = ["ghost-1-bare.json", "ghost-3-mobiledoc.json", "ghost-5-lexical.json"]

    static func path(_ name: String) -> String { folder + "/" + name }

    /// Every string from the fixtures' secret-bearing fields and tables; none may leave the import.
    static let secrets = [
        "alice.secret@mail.invalid", "bob.secret@mail.invalid", "SECRETHASHalice", "SECRETHASHbob",
        "SECRETmembersKEY", "SECRETadminSESSION", "SECRETmailgun", "SECRETdbhash",
        "reader.secret@mail.invalid",
        "Secret Reader", "SECRETmemberUUID", "SECRETapikey", "SECRETsessionID", "SECRETcookie",
        "SECRETthemeSESSION", "SECRETapikeyV3",
    ]

    static func scratch(_ name: String = #function) throws -> String {
        let path = NSTemporaryDirectory() + "quill-import-\(name.filter { $0.isLetter })-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// Every regular file below `folder`, relative paths.
    static func files(_ folder: String) -> [String] {
        var found: [String] = []
        let walker = FileManager.default.enumerator(atPath: folder)
        while let name = walker?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                found.append(name)
            }
        }
        return found.sorted()
    }
}
