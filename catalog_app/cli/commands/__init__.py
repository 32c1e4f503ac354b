"""Subcommands of `catalog`: each one's name, module and one-line help, without importing it.

`catalog --help` lists every command from this table alone; only the chosen command's module
is imported, so `catalog --version` and `--help` need no database code at all. Each module
named here has `ARGUMENTS`, mapping each of its commands to a function that adds the
command's arguments and its `run` to the parser made for it.
"""

from __future__ import annotations

from catalog_app.cli.passphrase import NEW_PASSPHRASE_ENV, PASSPHRASE_ENV

# (name, module in this package, one-line help), in the order `catalog --help` lists them.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("init", "catalogue", "create the catalogue (harmless if it exists; upgrades an older one)"),
    ("stats", "catalogue", "count what the catalogue holds"),
    ("show", "catalogue", "show one record: description, provenance, reliability, relations"),
    (
        "check",
        "catalogue",
        "check the file, its references, the audit chain and every record against its audit "
        "trail (exit 1 on problems)",
    ),
    (
        "seal",
        "catalogue",
        "print the audit chain's seal: a short code to note down, for check --seal later",
    ),
    (
        "import",
        "ingest",
        "import files and folders: store the originals, extract text, pre-fill descriptions",
    ),
    (
        "search",
        "search",
        'search the catalogue (words, "phrases", OR, -word, prefix*, NEAR, title: agent: '
        "subject: place: ref: lang: date: access: grade: source: credibility: in: type:)",
    ),
    ("reindex", "search", "rebuild the search index from the catalogue"),
    (
        "export",
        "exchange",
        "export a finding aid (CSV, XLSX, EAD3, Dublin Core) or a BagIt transfer package",
    ),
    ("import-csv", "exchange", "bring in records from a CSV inventory (the isad or atom profile)"),
    (
        "import-bag",
        "exchange",
        "bring in the records and originals of a BagIt package made by 'export bag'",
    ),
    (
        "verify",
        "verify",
        "re-hash every stored original and report missing, altered and orphaned files "
        "(exit 1 if any); an interrupted run carries on where it stopped",
    ),
    (
        "backup",
        "backups",
        "back up the catalogue and its originals into a new folder (a BagIt bag), "
        "verified after writing",
    ),
    (
        "restore",
        "backups",
        "check a backup (every checksum, the catalogue's integrity and audit chain) and bring "
        "it back as a new catalogue file, with its originals beside it",
    ),
    (
        "encrypt",
        "encryption",
        "encrypt the catalogue and its originals with a passphrase (asked twice, or "
        f"${PASSPHRASE_ENV}); written beside the old form, checked, then swapped in",
    ),
    (
        "decrypt",
        "encryption",
        "turn an encrypted catalogue and its originals back into plain files",
    ),
    (
        "passphrase",
        "encryption",
        "change the passphrase of an encrypted catalogue (the current one, then the new one "
        f"twice; or ${PASSPHRASE_ENV} and ${NEW_PASSPHRASE_ENV})",
    ),
)
