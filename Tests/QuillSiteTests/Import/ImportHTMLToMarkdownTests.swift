import Testing

@testable import QuillSite

@Suite("HTML to Markdown")
struct ImportHTMLToMarkdownTests {
    @Test func inlineFormattingBecomesMarkdown() {
        let html =
            "<p>Plain <strong>bold</strong>, <em>it</em>, <code>a*b</code> and <a href=\"/x/\">a link</a>.</p>"
        #expect(HTMLToMarkdown.convert(html) == "Plain **bold**, *it*, `a*b` and [a link](/x/).")
    }

    @Test func markdownSyntaxInTextIsEscaped() {
        let html = "<p>1. one *star* [brackets] &lt;tag&gt; _under_</p><p># hash</p><p>- dash</p>"
        #expect(
            HTMLToMarkdown.convert(html)
                == "1\\. one \\*star\\* \\[brackets\\] \\<tag> \\_under\\_\n\n\\# hash\n\n\\- dash")
    }

    @Test func headingsListsQuotesAndRules() {
        let html =
            "<h2>Title</h2><ul><li>a</li><li>b<ul><li>c</li></ul></li></ul><ol start=\"3\"><li>x</li></ol>"
            + "<blockquote><p>q1</p><p>q2</p></blockquote><hr>"
        #expect(
            HTMLToMarkdown.convert(html) == "## Title\n\n- a\n- b\n  - c\n\n3. x\n\n> q1\n>\n> q2\n\n---")
    }

    @Test func codeBlocksKeepTheirTextAndLanguage() {
        let html = "<pre><code class=\"language-swift\">let a = 1 &lt; 2\n```\n</code></pre>"
        #expect(HTMLToMarkdown.convert(html) == "````swift\nlet a = 1 < 2\n```\n````")
    }

    @Test func whatMarkdownCannotSayStaysRawHTML() {
        let figure =
            "<figure class=\"kg-card\"><img src=\"/a.png\" width=\"10\"><figcaption>Cap</figcaption></figure>"
        #expect(HTMLToMarkdown.convert(figure) == figure)
        let styled = "<p style=\"text-align:center\">centered</p>"
        #expect(HTMLToMarkdown.convert(styled) == styled)
        let span = "<p>a <span class=\"x\">b <strong>c</strong></span> d</p>"
        #expect(HTMLToMarkdown.convert(span) == "a <span class=\"x\">b **c**</span> d")
        let link = "<p><a href=\"/x\" target=\"_blank\">out</a> there</p>"
        #expect(HTMLToMarkdown.convert(link) == "<p><a href=\"/x\" target=\"_blank\">out</a> there</p>")
    }

    @Test func blankLinesInsideRawBlocksCannotEndThem() {
        let html = "<div>\n<p>one</p>\n\n<p>two</p>\n</div>"
        #expect(HTMLToMarkdown.convert(html) == "<div>\n<p>one</p>\n<!---->\n<p>two</p>\n</div>")
    }

    @Test func nonBlockTagsAreShapedForCommonMark() {
        #expect(
            HTMLToMarkdown.convert("<video src=\"/v.mp4\" controls></video>")
                == "<video src=\"/v.mp4\" controls>\n</video>")
    }

    @Test func emphasisThatCommonMarkWouldMisreadStaysHTML() {
        #expect(
            HTMLToMarkdown.convert("<p>a <strong>\"quoted\"</strong>text</p>")
                == "a <strong>\"quoted\"</strong>text")
        // A paragraph starting with a tag could read as an HTML block: it stays HTML whole.
        #expect(
            HTMLToMarkdown.convert("<p><strong>\"q\"</strong>text</p>") == "<p><strong>\"q\"</strong>text</p>"
        )
    }

    @Test func ghostCardMarkersAreDroppedOtherCommentsKept() {
        let html = "<!--kg-card-begin: markdown--><p>x</p><!--kg-card-end: markdown--><!-- note -->"
        #expect(HTMLToMarkdown.convert(html) == "x\n\n<!-- note -->")
    }

    @Test func hardBreaksAndEntities() {
        #expect(HTMLToMarkdown.convert("<p>a<br>b &amp; c&nbsp;d &copy;</p>") == "a\\\nb & c\u{A0}d \u{A9}")
    }
}
