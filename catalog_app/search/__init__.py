"""Full-text and fielded search: script-aware normalisation, the query language, snippets."""
