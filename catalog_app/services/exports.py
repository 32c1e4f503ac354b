"""Exporting finding aids and transfer packages: one entry point for every format.

A file is written beside its destination under a temporary name and moved into place only
when complete, so an export that fails or is cancelled never leaves a half-written file
where a finished one was expected. While it is written the file is readable by its owner
only; the finished export gets the ordinary permissions of the user's umask.

Host and login names and local paths are left out unless `include_internal`
(services.internal_details), as restricted records are unless `include_restricted`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from catalog_app import staging
from catalog_app.errors import CatalogError, ValidationError
from catalog_app.services.export_source import ExportUnit, Progress, Selection, iter_units
from catalog_app.services.identity import UNNAMED
from catalog_app.services.internal_details import InternalDetails

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue

FORMATS = ("csv", "xlsx", "ead", "dc", "bag")
PROFILES = ("isad", "atom")
SUFFIXES = {"csv": ".csv", "xlsx": ".xlsx", "ead": ".xml", "dc": ".xml", "bag": ""}
DESCRIPTIONS = {
    "csv": "CSV finding aid",
    "xlsx": "Spreadsheet (XLSX)",
    "ead": "EAD3 XML",
    "dc": "Dublin Core XML (oai_dc)",
    "bag": "BagIt transfer package",
}


class ExportCancelled(CatalogError):
    """The person stopped the export; nothing was written."""


Writer = Callable[[Iterable[ExportUnit], BinaryIO], object]


@dataclass(frozen=True)
class ExportResult:
    format: str
    path: Path
    records: int
    left_out: int  # restricted or confidential records not exported
    left_out_codes: tuple[str, ...]
    warnings: tuple[str, ...]
    include_internal: bool = False  # host and login names and local paths went too

    def summary(self) -> str:
        line = f"Wrote {self.records:,} record(s) to {self.path}"
        if self.left_out:
            line += (
                f"; left out {self.left_out:,} restricted or confidential record(s) "
                "(include them on purpose to export them)"
            )
        return line


def _writer(fmt: str, profile: str, title: str | None) -> Writer:
    if fmt == "csv":
        from catalog_app.export import csv_atom, csv_isad

        return csv_atom.write if profile == "atom" else csv_isad.write
    if fmt == "xlsx":
        from catalog_app.export import xlsx

        return xlsx.write
    if fmt == "ead":
        from catalog_app.export import ead

        return functools.partial(ead.write, title=title)
    from catalog_app.export import dublin_core

    return dublin_core.write


def _warnings(report: object) -> tuple[str, ...]:
    return tuple(getattr(report, "warnings", ()) or ())


class ExportService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue

    def export(
        self,
        fmt: str,
        output: Path,
        *,
        profile: str = "isad",
        collection: str | None = None,
        include_restricted: bool = False,
        include_internal: bool = False,
        in_clear: bool = False,
        report: Progress | None = None,
        bag_info: dict[str, str] | None = None,
    ) -> ExportResult:
        """Write the records in scope (a collection and all below it, or everything) in a
        format. `include_internal` keeps host and login names and local paths in it. From an
        encrypted catalogue, an export (readable by anyone who gets it) is written only when
        `in_clear` says it may be. `report(done, total)` returning False cancels
        (ExportCancelled)."""
        if self._cat.encrypted and not in_clear:
            raise CatalogError(
                "The catalogue is encrypted but an export is not: anyone who gets the file can "
                "read it. Say that it may be written in clear (catalog export --in-clear, or "
                "the tick in the export dialog). Nothing was written."
            )
        if fmt not in FORMATS:
            raise ValidationError(f"'{fmt}' is not an export format ({', '.join(FORMATS)})")
        if profile not in PROFILES:
            raise ValidationError(f"'{profile}' is not a CSV profile ({', '.join(PROFILES)})")
        selection = Selection(
            collection=collection,
            include_restricted=include_restricted,
            include_internal=include_internal,
        )
        cancelled = False

        def progress(done: int, total: int) -> bool:
            nonlocal cancelled
            if report is not None and not report(done, total):
                cancelled = True
            return not cancelled

        if fmt == "bag":
            warnings = self._bag(output, selection, progress, bag_info or {})
        else:
            warnings = self._file(fmt, profile, output, selection, progress, lambda: cancelled)
        if cancelled:
            raise ExportCancelled("The export was stopped; nothing was written.")
        return ExportResult(
            fmt,
            output,
            selection.total - selection.left_out,
            selection.left_out,
            tuple(selection.left_out_codes),
            warnings,
            include_internal,
        )

    def _file(
        self,
        fmt: str,
        profile: str,
        output: Path,
        selection: Selection,
        progress: Progress,
        was_cancelled: Callable[[], bool],
    ) -> tuple[str, ...]:
        temporary = staging.staging_path(output)
        writer = _writer(fmt, profile, self._whole_title(selection))
        try:
            if output.is_dir():
                raise ValidationError(f"{output} is a folder; give a file name to export to")
            if not output.parent.is_dir():
                raise ValidationError(f"the folder {output.parent} does not exist")
            staging.sweep(output.parent)
            with staging.open_private(temporary) as out:
                written = writer(iter_units(self._cat, selection, progress), out)
                out.flush()
                os.fsync(out.fileno())
            if was_cancelled():
                return ()
            staging.publish(temporary, output)
        except OSError as error:
            raise CatalogError(f"cannot write {output}: {error.strerror or error}") from error
        finally:
            staging.remove(temporary)
        return _warnings(written)

    def _whole_title(self, selection: Selection) -> str | None:
        """EAD needs one top: a whole-catalogue export is wrapped in one titled after it."""
        if selection.collection is not None:
            return None
        return f"Catalogue {self._cat.path.stem}"

    def _bag_source(self, include_internal: bool) -> dict[str, str]:
        """Who made the bag and from what: the person's name (never a login name), and the
        catalogue's name, or with internal details its path."""
        source: dict[str, str] = {}
        if include_internal:
            source["Source-Organization"] = self._cat.actor
            source["External-Description"] = f"Records exported from {self._cat.path}"
            return source
        name = InternalDetails.of_this_computer().person(self._cat.actor)
        if name != UNNAMED:
            source["Source-Organization"] = name
        source["External-Description"] = f"Records exported from {self._cat.path.name}"
        return source

    def _bag(
        self, output: Path, selection: Selection, progress: Progress, bag_info: dict[str, str]
    ) -> tuple[str, ...]:
        from catalog_app.export import csv_isad, ead
        from catalog_app.services.bags import BagService

        info = {
            **self._bag_source(selection.include_internal),
            "Bagging-Date": datetime.now(UTC).date().isoformat(),
            **bag_info,
        }
        result = BagService(self._cat).export(
            output,
            selection,
            metadata={
                "finding-aid.csv": csv_isad.write,
                "ead.xml": functools.partial(ead.write, title=self._whole_title(selection)),
            },
            bag_info=info,
            report=progress,
        )
        return _warnings(result)
