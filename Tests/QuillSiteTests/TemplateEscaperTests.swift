import Mustache
import Testing

@testable import QuillSite

/// Templates parsed with TemplateEscaper's pragma must render exactly what swift-mustache's own
/// HTML escaping renders, for every kind of value.
@Suite struct TemplateEscaperTests {
    @Test func rendersWhatMustachesOwnEscapingRenders() throws {
        _ = TemplateEscaper.registered
        let source = "<p title=\"{{value}}\">{{value}}</p>\n{{#list}}{{.}},{{/list}}\n"
        let plain = try MustacheTemplate(string: source)
        let quick = try MustacheTemplate(string: TemplateEscaper.pragma + source)
        let values = [
            "", "plain text", "a < b && c > d", "\"quoted\" and 'single'", "Café <b>", "naïve & \"ü\"",
            "\"\u{301}combining after a quote", "&\u{20DD} enclosed", "emoji 👍🏽 <3", "tab\tand\nnewline",
        ]
        for value in values {
            let context: [String: Any] = ["value": value, "list": [value, "x<y", 3]]
            #expect(quick.render(context) == plain.render(context), "\(value)")
        }
        #expect(quick.render(["value": "a<b"]).hasPrefix("<p title=\"a&lt;b\">a&lt;b</p>"))
    }
}
