import Testing

@testable import WarrenPolicy

@Test func namespaceModesParseFromTheirNames() {
    #expect(NamespaceMode(rawValue: "fresh") == .fresh)
    #expect(NamespaceMode(rawValue: "shared") == .shared)
    #expect(NamespaceMode(rawValue: "host") == .host)
    #expect(NamespaceMode(rawValue: "Fresh") == nil)
}
