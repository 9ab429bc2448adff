import Foundation
import Testing

@testable import QuillSite

@Suite struct MarkdownTests {
    @Test func rendersGFMExtensions() {
        let source = """
            | a | b |
            |---|--:|
            | 1 | 2 |

            ~~gone~~ and https://example.org

            - [x] done
            - [ ] todo

            Text.[^n]

            [^n]: A note.

            ```swift
            let x = 1
            ```

            <div class="raw">kept</div>
            """
        let html = Markdown.render(source[...], takeTitle: false).html
        #expect(html.contains("<table>"))
        #expect(html.contains("<del>gone</del>"))
        #expect(html.contains("<a href=\"https://example.org\">https://example.org</a>"))
        #expect(html.contains("type=\"checkbox\" checked=\"\" disabled=\"\""))
        #expect(html.contains("class=\"footnotes\""))
        #expect(html.contains("<code class=\"language-swift\">"))
        #expect(html.contains("<div class=\"raw\">kept</div>"))
    }

    @Test func headingsGetUniqueAnchors() {
        let html = Markdown.render("## Hello, World\n\n## Hello, World\n\n### Café\n"[...], takeTitle: false)
            .html
        #expect(html.contains("<h2 id=\"hello-world\">"))
        #expect(html.contains("<h2 id=\"hello-world-1\">"))
        #expect(html.contains("<h3 id=\"cafe\">"))
        #expect(!html.contains("quill:anchor"))
    }

    @Test func titleComesFromFirstHeadingAndIsNotRepeated() {
        let atx = Markdown.render("# The Title\n\nBody text.\n"[...], takeTitle: true)
        #expect(atx.title == "The Title")
        #expect(!atx.html.contains("The Title"))
        let setext = Markdown.render("Setext Title\n============\n\nBody.\n"[...], takeTitle: true)
        #expect(setext.title == "Setext Title")
        #expect(!setext.html.contains("Setext Title"))
    }

    @Test func aFirstHeadingEqualToTheFrontMatterTitleIsDropped() {
        let same = Markdown.render("# Known\n\nBody.\n"[...], takeTitle: false, knownTitle: "Known")
        #expect(same.html == "<p>Body.</p>\n")
        let other = Markdown.render("# Other\n\nBody.\n"[...], takeTitle: false, knownTitle: "Known")
        #expect(other.html.contains("Other</h1>"))
    }

    @Test func excerptIsFirstParagraphOrTextBeforeMoreMarker() {
        let plain = Markdown.render("First *para*.\n\nSecond para.\n"[...], takeTitle: false)
        #expect(plain.excerptHTML == "<p>First <em>para</em>.</p>\n")
        #expect(plain.excerptText == "First para.")
        let marked = Markdown.render("One.\n\nTwo.\n\n<!--more-->\n\nThree.\n"[...], takeTitle: false)
        #expect(marked.excerptHTML == "<p>One.</p>\n<p>Two.</p>\n")
    }

    @Test func moreMarkerWorksInsideAParagraph() {
        let inline = Markdown.render(
            "One.\n\nTwo *and* more <!--more--> hidden *text*.\n\nThree.\n"[...], takeTitle: false)
        #expect(inline.excerptHTML == "<p>One.</p>\n<p>Two <em>and</em> more</p>\n")
        #expect(inline.excerptText == "One. Two and more")
        // The whole post keeps everything, marker included.
        #expect(inline.html.contains("more <!--more--> hidden <em>text</em>.</p>"))
        #expect(inline.html.contains("<p>Three.</p>"))

        // Inside emphasis, at the end of a line, and at the start of a paragraph.
        let nested = Markdown.render("Start *emph <!--more--> rest* tail.\n"[...], takeTitle: false)
        #expect(nested.excerptHTML == "<p>Start <em>emph</em></p>\n")
        let lineEnd = Markdown.render("First line<!--more-->\nsecond line.\n"[...], takeTitle: false)
        #expect(lineEnd.excerptHTML == "<p>First line</p>\n")
        let first = Markdown.render("Intro.\n\n<!--more--> Body.\n"[...], takeTitle: false)
        #expect(first.excerptHTML == "<p>Intro.</p>\n")
    }

    @Test func pathologicalInputsFinish() {
        let brackets = String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)
        let nested = Markdown.render(brackets[...], takeTitle: true)
        #expect(nested.html.hasPrefix("<p>["))
        let longLine = String(repeating: "word *emph* ", count: 90_000)  // about 1 MB on one line
        let long = Markdown.render(longLine[...], takeTitle: false)
        #expect(long.wordCount == 180_000)
        let quotes = String(repeating: "> ", count: 10_000) + "deep"
        #expect(Markdown.render(quotes[...], takeTitle: false).html.contains("deep"))
    }
}
