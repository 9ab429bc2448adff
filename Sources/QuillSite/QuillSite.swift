// The site builder: content model, Markdown, front matter, templates, feeds, Ghost import.
