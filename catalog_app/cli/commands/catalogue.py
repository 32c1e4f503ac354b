"""init, stats, show and check: the catalogue file and its records."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from catalog_app.cli.context import AddArguments, CommandContext, json_option
from catalog_app.cli.output import heading, print_json, print_pairs
from catalog_app.domain.isad import CREATOR_ROLE, described_elements
from catalog_app.domain.records import UnitDetail, to_jsonable
from catalog_app.logs import private
from catalog_app.storage.audit_seal import Seal

log = logging.getLogger(__name__)


def _init(ctx: CommandContext) -> int:
    existed = ctx.path.exists() and ctx.path.stat().st_size > 0
    with ctx.open(create=True, encrypt=bool(getattr(ctx.args, "encrypt", False))) as catalogue:
        revision = catalogue.schema_revision()
        result = {
            "path": str(catalogue.path),
            "created": not existed,
            "schema_revision": revision,
            "upgrade_backup": str(catalogue.upgrade_backup) if catalogue.upgrade_backup else None,
            "encrypted": catalogue.encrypted,
        }
    if ctx.json:
        print_json(result)
    elif not existed:
        print(f"Created a new catalogue at {result['path']}")
    elif result["upgrade_backup"]:
        print(f"Upgraded {result['path']} (the old version is kept at {result['upgrade_backup']})")
    else:
        print(f"{result['path']} is already a catalogue; nothing to do.")
    return 0


def _stats(ctx: CommandContext) -> int:
    with ctx.open() as catalogue:
        stats = catalogue.stats()
    if ctx.json:
        print_json(stats)
        return 0
    print(f"Catalogue {stats.path} (schema {stats.schema_revision})")
    print_pairs((name.replace("_", " "), f"{count:>10,}") for name, count in stats.counts.items())
    return 0


def _show_text(unit: UnitDetail) -> None:
    print(f"{unit.reference_code}  {unit.title}")
    print_pairs(
        [
            ("Part of", unit.parent_reference_code),
            ("Harvested", ", ".join(f.replace("_", " ") for f in unit.harvested)),
            ("Withdrawn", unit.withdrawn_at),
            ("Records below", unit.children_count or None),
            ("UUID", unit.uuid),
            (
                "Version",
                f"{unit.version}, last changed {unit.updated_at:%Y-%m-%d %H:%M} UTC "
                f"by {unit.updated_by}",
            ),
        ]
    )
    for area, values in described_elements(unit):  # ISAD(G) order, areas as headings
        heading(f"{area.number} {area.name}")
        print_pairs((element.label, text) for element, text in values)
    others = [a for a in unit.agents if a.role != CREATOR_ROLE]  # creators are 3.2.1
    if others or unit.places or unit.subjects:
        heading("Access points")
        print_pairs(
            [
                ("Names", "; ".join(f"{a.authorised_name} ({a.role})" for a in others)),
                ("Places", "; ".join(p.name for p in unit.places)),
                ("Subjects", "; ".join(s.name for s in unit.subjects)),
            ]
        )
    if unit.files:
        heading("Originals")
        for f in unit.files:
            print(f"  {f.original_name}  {f.size:,} bytes  {f.media_type}  sha256:{f.sha256}")
            print(
                f"      text: {f.text_method or 'none'}; {f.text_length:,} characters"
                + (f" ({f.text_language})" if f.text_language else "")
            )
    if unit.events:
        heading("Provenance (oldest first)")
        for e in unit.events:
            parts = [
                e.occurred_at or "undated",
                e.event_type,
                e.agent,
                e.tool,
                e.place,
                e.source_url,
                e.note,
            ]
            print("  " + " | ".join(p for p in parts if p))
    if unit.assessments:
        heading("Reliability (current first)")
        for a in unit.assessments:
            print(
                f"  {a.grade}  {a.source_reliability.label}; {a.information_credibility.label}"
                f"  ({a.assessor}, {a.assessed_at:%Y-%m-%d})"
            )
            print_pairs(
                [
                    ("Affiliation", a.affiliation_note),
                    ("Corroboration", a.corroboration_note),
                    ("Method", a.method_note),
                ],
                indent="      ",
            )
    if unit.relations:
        heading("Relations")
        for r in unit.relations:
            arrow = (
                f"{r.kind} {r.other_reference_code}"
                if r.direction == "outgoing"
                else f"{r.other_reference_code} {r.kind} this record"
            )
            similarity = f" (similarity {r.similarity:.2f})" if r.similarity is not None else ""
            print(f"  {arrow}: {r.other_title}{similarity}")


def _show(ctx: CommandContext) -> int:
    with ctx.open() as catalogue:
        unit = catalogue.units.find(ctx.args.record)
        history = catalogue.audit.history(unit.uuid) if ctx.args.history else None
    if ctx.json:
        data = to_jsonable(unit)
        data["current_assessment"] = to_jsonable(unit.current_assessment)
        if history is not None:
            data["history"] = to_jsonable(history)
        print_json(data)
        return 0
    _show_text(unit)
    if history:
        heading("History")
        for h in history:
            change = f"{h.field}: {h.old_value!r} -> {h.new_value!r}" if h.field else ""
            print(f"  {h.at:%Y-%m-%d %H:%M:%S} {h.actor} {h.action} {h.table_name} {change}")
    return 0


def _check(ctx: CommandContext) -> int:
    seal = Seal.parse(ctx.args.seal) if ctx.args.seal else None  # a typo: say so before the work
    with ctx.open() as catalogue:
        problems = catalogue.integrity_problems(seal=seal, backups=ctx.args.against_backup)
    for problem in problems:
        log.warning("check of %s: %s", private(ctx.path), private(problem))
    if ctx.json:
        print_json({"path": str(ctx.path), "ok": not problems, "problems": problems})
    elif problems:
        for problem in problems:
            print(f"problem: {problem}")
    else:
        anchors = "".join(
            [", the seal" if seal else "", ", the backup" if ctx.args.against_backup else ""]
        )
        print(
            f"{ctx.path}: no problems found (database structure, references, search index, "
            f"audit chain, records against their audit trail{anchors})."
        )
    return 1 if problems else 0


def _seal(ctx: CommandContext) -> int:
    with ctx.open() as catalogue:
        seal = catalogue.audit.seal()
        rows, head = catalogue.audit.head()
    if ctx.json:
        print_json({"rows": rows, "head": head, "seal": seal.code})
        return 0
    print(seal.code)
    print(
        f"The audit log's {rows:,} row(s) end here. Note this seal down (or print it) and keep "
        f"it apart from the computer; later, catalog check --seal {seal.code} shows whether "
        "anything up to now was rewritten or removed."
    )
    return 0


def _init_arguments(parser: argparse.ArgumentParser) -> None:
    json_option(parser, _init)
    parser.add_argument(
        "--encrypt",
        action="store_true",
        help="encrypt the new catalogue and its originals with a passphrase (asked twice, "
        "or $CATALOG_PASSPHRASE)",
    )


def _show_arguments(parser: argparse.ArgumentParser) -> None:
    json_option(parser, _show)
    parser.add_argument("record", help="reference code, UUID or numeric id")
    parser.add_argument("--history", action="store_true", help="include the record's audit trail")


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    json_option(parser, _check)
    parser.add_argument(
        "--seal",
        metavar="CODE",
        help="also check that the audit chain still extends this seal (from catalog seal)",
    )
    parser.add_argument(
        "--against-backup",
        metavar="DIR",
        type=Path,
        action="append",
        default=[],
        help="also check that the audit chain extends the one in this backup (repeatable)",
    )


ARGUMENTS: dict[str, AddArguments] = {
    "init": _init_arguments,
    "stats": lambda parser: json_option(parser, _stats),
    "show": _show_arguments,
    "check": _check_arguments,
    "seal": lambda parser: json_option(parser, _seal),
}
