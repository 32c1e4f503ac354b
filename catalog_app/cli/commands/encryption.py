"""encrypt, decrypt and passphrase: encryption at rest of a catalogue and its originals."""

from __future__ import annotations

from collections.abc import Callable

from catalog_app.cli.context import AddArguments, CommandContext, json_option
from catalog_app.cli.output import print_json
from catalog_app.cli.passphrase import NEW_PASSPHRASE_ENV, asker
from catalog_app.services import encryption

Conversion = Callable[..., encryption.ConversionReport]


def _print(ctx: CommandContext, report: encryption.ConversionReport) -> None:
    if ctx.json:
        print_json(
            {"path": str(report.path), "encrypted": report.encrypted, "originals": report.originals}
        )
    else:
        print(report.summary())


def _convert(ctx: CommandContext, convert: Conversion, passphrase: str, label: str) -> int:
    progress = ctx.progress(label)
    try:
        report = convert(ctx.path, passphrase, report=progress)
    finally:
        progress.finish()
    _print(ctx, report)
    return 0


def _encrypt(ctx: CommandContext) -> int:
    passphrase = asker(ctx.path, new=True)()
    return _convert(ctx, encryption.encrypt, passphrase, "Encrypting originals")


def _decrypt(ctx: CommandContext) -> int:
    return _convert(ctx, encryption.decrypt, asker(ctx.path)(), "Decrypting originals")


def _passphrase(ctx: CommandContext) -> int:
    current = asker(ctx.path)()
    new = asker(ctx.path, new=True, env=NEW_PASSPHRASE_ENV)()
    encryption.change_passphrase(ctx.path, current, new)
    if ctx.json:
        print_json({"path": str(ctx.path), "changed": True})
    else:
        print(
            f"The passphrase of {ctx.path} is changed. Backups made before keep opening with "
            "the old one."
        )
    return 0


ARGUMENTS: dict[str, AddArguments] = {
    "encrypt": lambda parser: json_option(parser, _encrypt),
    "decrypt": lambda parser: json_option(parser, _decrypt),
    "passphrase": lambda parser: json_option(parser, _passphrase),
}
