"""Writes N realistic posts (front matter, headings, lists, code, links, tags) twice: as a Quill
site in WORK/quill and as a Hugo site in WORK/hugo with equivalent minimal layouts."""
import os
import random
import sys

work, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(42)
words = ("the of and to in is that for it as with was on be by this are from at or an have not but "
         "server process kernel socket build page blog bread flour water salt yeast bike ride road "
         "gravel coast night morning coffee write read code test deploy cache file folder link feed "
         "theme template render markdown quiet simple small fast slow careful honest measure").split()
tags = ["software", "bread", "cycling", "travel", "books", "writing", "linux", "swift", "servers",
        "essays", "tools", "photography", "music", "food", "garden", "security", "networks", "design",
        "history", "maps", "weather", "coffee", "running", "family", "notes", "links", "review",
        "howto", "opinion", "meta"]


def sentence():
    s = " ".join(rng.choice(words) for _ in range(rng.randint(8, 20)))
    return s[0].upper() + s[1:] + "."


def paragraph():
    return " ".join(sentence() for _ in range(rng.randint(3, 6)))


def body(i):
    parts = [paragraph(), paragraph()]
    for h in range(rng.randint(2, 4)):
        parts.append(f"## Section {h + 1}: {' '.join(rng.choice(words) for _ in range(3))}")
        parts.append(paragraph())
        if rng.random() < 0.5:
            parts.append("\n".join(f"- {sentence()}" for _ in range(rng.randint(3, 6))))
        if rng.random() < 0.3:
            parts.append("```python\nfor i in range(10):\n    print(i * %d)\n```" % i)
        if rng.random() < 0.4:
            parts.append(f"See [the previous post](/post-{max(i - 1, 0)}/) and *{rng.choice(words)}* "
                         f"**{rng.choice(words)}** `code`.")
        parts.append(paragraph())
    return "\n\n".join(parts) + "\n"


os.makedirs(f"{work}/quill/content/posts", exist_ok=True)
os.makedirs(f"{work}/hugo/content/posts", exist_ok=True)
for i in range(count):
    year, month, day = 2020 + i // 336, 1 + (i // 28) % 12, 1 + i % 28
    date = f"{year}-{month:02d}-{day:02d}"
    post_tags = rng.sample(tags, rng.randint(1, 4))
    front = (f"---\ntitle: \"Post {i}: {' '.join(rng.choice(words) for _ in range(4))}\"\n"
             f"date: {date}\nslug: post-{i}\ntags: [{', '.join(post_tags)}]\n"
             f"description: \"{sentence()}\"\n---\n\n")
    text = front + body(i)
    name = "2020-01-01-post-0.md" if i == 0 else f"{date}-post-{i}.md"
    with open(f"{work}/quill/content/posts/{name}", "w") as f:
        f.write(text)
    with open(f"{work}/hugo/content/posts/post-{i}.md", "w") as f:
        f.write(text)

with open(f"{work}/quill/site.toml", "w") as f:
    f.write('title = "Bench"\nbase_url = "http://127.0.0.1:8080"\nauthor = "Bench"\nposts_per_page = 10\n')

with open(f"{work}/hugo/config.toml", "w") as f:
    f.write('baseURL = "http://127.0.0.1:8080/"\ntitle = "Bench"\npaginate = 10\n'
            '[permalinks]\n  posts = "/:slug/"\n[taxonomies]\n  tag = "tags"\n')
layouts = f"{work}/hugo/layouts/_default"
os.makedirs(layouts, exist_ok=True)
head = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
        '<meta name="description" content="{{ .Description }}"><link rel="canonical" href="{{ .Permalink }}">'
        '</head><body><header><a href="/">{{ .Site.Title }}</a></header><main>')
tail = '</main><footer>Bench</footer></body></html>'
with open(f"{layouts}/single.html", "w") as f:
    f.write(head + '<article><h1>{{ .Title }}</h1><time>{{ .Date.Format "2 January 2006" }}</time> '
            '{{ .ReadingTime }} min {{ range .Params.tags }}<a href="/tags/{{ . | urlize }}/">{{ . }}</a> {{ end }}'
            '{{ .Content }}</article>{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}'
            '{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}' + tail)
with open(f"{layouts}/list.html", "w") as f:
    f.write(head + '<h1>{{ .Title }}</h1>{{ $p := .Paginate .Pages }}{{ range $p.Pages }}<article>'
            '<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>{{ .Summary }}</article>{{ end }}'
            '{{ if $p.HasPrev }}<a href="{{ $p.Prev.URL }}">newer</a>{{ end }}'
            '{{ if $p.HasNext }}<a href="{{ $p.Next.URL }}">older</a>{{ end }}' + tail)
with open(f"{work}/hugo/layouts/index.html", "w") as f:
    f.write(head + '{{ $p := .Paginate (where .Site.RegularPages "Section" "posts") }}{{ range $p.Pages }}'
            '<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>{{ .Summary }}</article>{{ end }}'
            '{{ if $p.HasNext }}<a href="{{ $p.Next.URL }}">older</a>{{ end }}' + tail)
