import Foundation
import Testing

@testable import QuillSite

/// Faithfulness, checked through the site's own renderer: HTML → Markdown → HTML must give back the
/// same document (up to whitespace between tags, the build's heading anchors and smart quotes).
@Suite("HTML to Markdown round trip")
struct ImportRoundTripTests {
    static let samples = [
        "<p>Plain <strong>bold</strong>, <em>italic</em>, <code>a*b</code>, <a href=\"/x/\">link</a>.</p>",
        "<p>Escapes: 1. * _ [a](b) &lt;tag&gt; `tick` ~tilde~ | pipe # hash &amp;amp; --flag</p>",
        "<p># not heading</p><p>- not a list</p><p>+ neither</p><p>2) nor this</p><p>&gt; nor quote</p>",
        "<h2>A heading</h2><h3>With <em>emphasis</em></h3>",
        "<h2 id=\"custom-anchor\">Kept anchor</h2>",
        "<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul><ol start=\"4\"><li>four</li><li>five</li></ol>",
        "<ul><li><p>loose one</p></li><li><p>loose two</p></li></ul>",
        "<blockquote><p>quoted <strong>text</strong></p><p>second</p></blockquote>",
        "<pre><code class=\"language-swift\">let x = [1, 2]\n// ``` fence inside\n</code></pre>",
        "<pre><code>plain\n\n  indented\n</code></pre>",
        "<hr>",
        "<p>line one<br>line two</p>",
        "<p><img src=\"/content/images/a.png\" alt=\"An image\"></p>",
        "<p>a <span class=\"hl\">span with <em>em</em></span> and <sub>sub</sub> and <u>u</u>.</p>",
        "<p>a <a href=\"https://example.com\" target=\"_blank\" rel=\"noopener\">new tab</a> link</p>",
        "<figure class=\"kg-card kg-image-card\"><img src=\"/i.jpg\" class=\"kg-image\" alt=\"\"><figcaption>Cap <b>b</b></figcaption></figure>",
        "<div class=\"kg-card kg-callout-card\">\n<div>one</div>\n\n<div>two</div>\n</div>",
        "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>",
        "<iframe src=\"https://www.youtube.com/embed/x\" allowfullscreen></iframe>",
        "<p>text with <del>strike</del> and <strong>\"quoted\"</strong>text</p>",
        "<p><strong>starts</strong> with bold</p>",
        "<p>a bare https://example.com/ url and www.example.org</p>",
        "<p>mail someone@example.com today</p>",
        "<p>Text<br><br>more</p>",
        "<p>A <em>nested <strong>strong</strong> em</em>, <em>a</em><em>b</em>, <strong>c</strong><em>d</em></p>",
        "<p>foo<em>bar</em>baz foo<strong>bar</strong>baz foo<del>bar</del>baz</p>",
        "<p><a href=\"/x\"><img src=\"/i.png\" alt=\"pic\"></a> and <a href=\"/a b\" title=\"T &quot;q&quot;\">spaced</a></p>",
        "<figure class=\"kg-card kg-image-card\"><img src=\"/content/images/2022/01/a.png\" class=\"kg-image\" alt loading=\"lazy\" "
            + "width=\"2000\" srcset=\"/content/images/size/w600/2022/01/a.png 600w, /content/images/2022/01/a.png 1000w\" "
            + "sizes=\"(min-width: 720px) 720px\"></figure>",
        "<ol><li>first<pre><code>code in item\n</code></pre></li><li>second</li></ol>",
        "<!--kg-card-begin: html--><div class=\"raw\"><p>inside</p></div><!--kg-card-end: html-->",
        "<p>Entities &copy; &mdash; &#8217; &#x2603; and &nbsp;space</p>",
    ]

    @Test(arguments: samples)
    func convertedMarkdownRendersTheSameHTML(_ html: String) {
        let markdown = HTMLToMarkdown.convert(html)
        let rendered = Markdown.render(markdown[...], takeTitle: false).html
        #expect(Self.normalize(rendered) == Self.normalize(html), "Markdown was:\n\(markdown)")
    }

    /// Removes differences that do not change the document: whitespace between tags, the anchor links
    /// and ids the build adds to headings, Ghost's card markers, empty comments, self-closing slashes,
    /// quote entities and the smart quotes the build renders.
    static func normalize(_ html: String) -> String {
        var text = html
        let replacements: [(String, String)] = [
            (#"<a class="anchor"[^>]*>#</a>"#, ""), (#"<(h[1-6]) id="[^"]*">"#, "<$1>"),
            (#"<!--kg-card-[^>]*-->"#, ""),
            (#"<!---->"#, ""), (#"\s*/>"#, ">"), (#">\s+"#, ">"), (#"\s+<"#, "<"), (#"\s+"#, " "),
        ]
        for (from, to) in [
            ("&quot;", "\""), ("&nbsp;", "\u{A0}"), ("&copy;", "\u{A9}"), ("&mdash;", "\u{2014}"),
            ("&#8217;", "\u{2019}"), ("&#x2603;", "\u{2603}"), ("\u{201C}", "\""), ("\u{201D}", "\""),
            ("\u{2018}", "'"), ("\u{2019}", "'"), ("&gt;", ">"),
            // A space in a URL is sent as %20 by browsers anyway; cmark writes it so.
            ("%20", " "),
        ] {
            text = text.replacingOccurrences(of: from, with: to)
        }
        for (pattern, template) in replacements {
            text = text.replacingOccurrences(of: pattern, with: template, options: .regularExpression)
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
