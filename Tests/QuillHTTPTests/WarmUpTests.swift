import QuillHTTP
import Testing

/// The prespawned engine's warm-up answers its built-in requests whatever the site holds.
@Suite struct WarmUpTests {
    @Test func everyBuiltInRequestIsAnswered() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "home\n")
        temp.write("index.html.gz", "gz")
        temp.write("404.html", "missing\n")
        #expect(Connection.warmUp(site: try temp.open(), options: ConnectionOptions()) == 3)
    }

    @Test func anEmptySiteIsAnsweredWithBuiltInPages() throws {
        let temp = TempSite()
        defer { temp.remove() }
        #expect(Connection.warmUp(site: try temp.open(), options: ConnectionOptions()) == 3)
    }
}
