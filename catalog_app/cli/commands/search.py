"""search and reindex."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from catalog_app.cli.context import AddArguments, CommandContext, json_option
from catalog_app.cli.output import print_json
from catalog_app.domain.records import SearchResults
from catalog_app.search.highlight import Snippet


def _marked(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    if sys.stdout.isatty():
        return Snippet(text, spans).marked("\x1b[1;33m", "\x1b[0m")
    return Snippet(text, spans).marked("[", "]")


def _json(results: SearchResults, limit: int) -> dict[str, Any]:
    return {
        "query": results.query,
        "total": results.total,
        "total_exact": results.total_exact,
        "offset": results.offset,
        "limit": limit,
        "ranking": results.ranking,
        "fuzzy_variants": list(results.fuzzy),
        "results": [
            {
                "id": hit.id,
                "reference_code": hit.reference_code,
                "title": hit.title,
                "score": hit.score,
                "snippet": hit.snippet,
                "highlights": [list(span) for span in hit.highlights],
                "level": hit.level,
                "date": hit.date_expression,
                "access_status": hit.access_status,
                "media_type": hit.media_type,
            }
            for hit in results.hits
        ],
        "facets": {
            name: [{"value": v, "count": n} for v, n in counts]
            for name, counts in results.facets.items()
        },
        "facets_exact": results.facets_exact,
    }


def _search(ctx: CommandContext) -> int:
    args = ctx.args
    with ctx.open() as catalogue:
        results = catalogue.search.search(
            " ".join(args.query),
            limit=args.limit,
            offset=args.offset,
            fuzzy=args.fuzzy,
            facets=ctx.json or args.facets,
        )
    if ctx.json:
        print_json(_json(results, args.limit))
        return 0
    shown = f"{results.offset + 1}-{results.offset + len(results.hits)}" if results.hits else "0"
    print(
        ("" if results.total_exact else "about ")
        + f"{results.total:,} found; showing {shown}"
        + (f" (also searched: {', '.join(results.fuzzy)})" if results.fuzzy else "")
    )
    for hit in results.hits:
        print()
        print(f"{hit.reference_code}  {_marked(hit.title, hit.title_highlights)}")
        if hit.snippet:
            print(f"    {_marked(hit.snippet, hit.highlights)}")
    if args.facets:
        for name, counts in results.facets.items():
            listed = ", ".join(f"{value} ({count:,})" for value, count in counts[:8])
            print(f"\n{name.replace('_', ' ')}: {listed}")
    return 0


def _reindex(ctx: CommandContext) -> int:
    progress = ctx.progress("Indexing")
    with ctx.open() as catalogue:
        try:
            count = catalogue.search.reindex(progress)
        finally:
            progress.finish()
    if ctx.json:
        print_json({"path": str(ctx.path), "indexed": count})
    else:
        print(f"Indexed {count:,} records.")
    return 0


def _search_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="+", help="what to look for")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="results per page")
    parser.add_argument("--offset", type=int, default=0, metavar="N", help="results to skip")
    parser.add_argument(
        "--fuzzy",
        action="store_true",
        help="also find close spellings (ranked below exact matches)",
    )
    parser.add_argument(
        "--facets",
        action="store_true",
        help="show counts by collection, "
        "decade, language, type, grade and access (always in --json)",
    )
    json_option(parser, _search)


ARGUMENTS: dict[str, AddArguments] = {
    "search": _search_arguments,
    "reindex": lambda parser: json_option(parser, _reindex),
}
