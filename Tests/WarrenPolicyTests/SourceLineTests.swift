import Testing
import WarrenPolicy

/// The line of the node at `path` (keys, or "#N" for array elements) in `text`.
private func line(_ text: String, _ path: String...) throws -> Int? {
    var node = TOMLNode(.table(try TOMLDocument.parse(text, file: "t.toml").root), line: 1)
    for component in path {
        switch node.value {
        case .table(let table):
            guard let child = table[component] else { return nil }
            node = child
        case .array(let elements):
            guard component.hasPrefix("#"), let index = Int(component.dropFirst()), index < elements.count
            else {
                return nil
            }
            node = elements[index]
        default: return nil
        }
    }
    return node.line
}

@Test func linesSurviveTrickyButValidTOML() throws {
    let text = """
        'literal key' = 'C:\\path\\'   # a "comment" with 'quotes' = [
        "quoted.dotted" = 1
        spaced . key = 2
        multi = '''
        it's [not] = a key
        '''
        basic = "a \\" # not a comment"
        [ table . "sub" ]
        x = 1
        [[fruit]]
        name = "apple"
        [[fruit.variety]]
        name = "red"
        [[fruit.variety]]
        name = "green"
        [fruit.physical]
        colour = "red"
        [[fruit]]
        name = "banana"
        [[fruit.variety]]
        name = "plantain"
        """
    #expect(try line(text, "literal key") == 1)
    #expect(try line(text, "quoted.dotted") == 2)
    #expect(try line(text, "spaced", "key") == 3)
    #expect(try line(text, "multi") == 4)
    #expect(try line(text, "basic") == 7)
    #expect(try line(text, "table", "sub") == 8)
    #expect(try line(text, "table", "sub", "x") == 9)
    #expect(try line(text, "fruit", "#0") == 10)
    #expect(try line(text, "fruit", "#0", "variety", "#1", "name") == 15)
    #expect(try line(text, "fruit", "#0", "physical", "colour") == 17)
    #expect(try line(text, "fruit", "#1", "name") == 19)
    #expect(try line(text, "fruit", "#1", "variety", "#0", "name") == 21)
}

@Test func quotedKeysWithEscapesKeepTheirLine() throws {
    let text = "[t]\n\"a\\\"b\" = 1\n\"caf\\u00e9\" = 2\n"
    #expect(try line(text, "t", "a\"b") == 2)
    #expect(try line(text, "t", "café") == 3)
}

@Test func crlfLineEndingsCountOnce() throws {
    let text = "a = 1\r\n\r\n[t]\r\nb = [\r\n  1,\r\n  2,\r\n]\r\n"
    #expect(try line(text, "a") == 1)
    #expect(try line(text, "t", "b") == 4)
    #expect(try line(text, "t", "b", "#1") == 6)
}
