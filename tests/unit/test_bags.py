"""BagIt transfer packages: every bag made here is checked with the bagit library's own
validator; bags go back in through the import, which must refuse damaged, tampered or
malicious bags without writing anything (and never outside the catalogue's store)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import bagit
import pytest

from catalog_app.domain.records import AgentName, NewAssessment, NewEvent, UnitDetail
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.errors import CatalogError, ValidationError
from catalog_app.export import records_json
from catalog_app.export.bag import BagDamaged, OriginalDamaged
from catalog_app.ingest import store
from catalog_app.services import Catalogue
from catalog_app.services.bags import BagImportReport, BagReport, BagService
from catalog_app.services.export_source import ExportUnit, Selection, iter_units
from catalog_app.services.originals import OriginalsService

TITLE = "گزارش شاهدان از خاوران، تابستان ۱۳۶۷"
SCOPE = 'شهادت‌ها با "نقل‌قول"، ویرگول، و\nخط تازه'
SECRET = "نام منبع: فقط برای بایگان"
INFO = {
    "Source-Organization": "بایگانی مستقل حقوق بشر",
    "External-Description": "انتقال پرونده‌های خاوران",
    "Bag-Count": "1 of 1",
}


@dataclass
class Source:
    catalogue: Catalogue
    collection: UnitDetail
    open_item: UnitDetail  # an original, an agent, a place, a subject, events, assessments
    restricted_item: UnitDetail  # with its own original
    third: UnitDetail  # related to the open item


def _import(catalogue: Catalogue, folder: Path, name: str, text: str, code: str) -> UnitDetail:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    (unit_id,) = catalogue.imports.run([path], collection=code, workers=1).new_ids
    return catalogue.units.get(unit_id)


@pytest.fixture
def source(catalogue: Catalogue, tmp_path: Path) -> Source:
    cat = catalogue
    collection = cat.units.create({"title": "مجموعهٔ خاوران", "level": "collection"})
    code = collection.reference_code
    files = tmp_path / "incoming"
    item = _import(cat, files / "a", "سند شاهد ۱.txt", "متن شهادت اول", code)
    cat.units.update(item.id, {"title": TITLE, "scope_content": SCOPE, "archivist_note": SECRET})
    hidden = _import(cat, files / "b", "محرمانه.txt", "متن محرمانه", code)
    cat.units.update(hidden.id, {"access_status": "restricted"})
    third = cat.units.create(
        {"title": "گزارش دوم", "date_expression": "1988-08"}, parent_id=collection.id
    )
    agent = cat.agents.create(
        "محمد رضایی",
        names=[AgentName("Mohammad Rezaei", "variant", "Latn")],
        dates_of_existence="1950-",
    )
    cat.units.link_agent(item.id, agent.id, "creator")
    place = cat.terms.place("تهران", variants=["Tehran"], latitude=35.69, longitude=51.39)
    cat.units.link_place(item.id, place.id)
    subject = cat.terms.subject("اعدام‌های ۱۳۶۷", vocabulary="local")
    cat.units.link_subject(item.id, subject.id)
    cat.provenance.record(
        item.id, NewEvent("capture", occurred_at="2023-05-01", agent="سارا", note="ضبط شد")
    )
    for grade, when in (("C", 2023), ("B", 2024)):
        cat.reliability.assess(
            item.id,
            NewAssessment(
                SourceReliability(grade),
                InformationCredibility.PROBABLY_TRUE,
                corroboration_note="تأیید با دو شاهد",
                assessor="Sara",
                assessed_at=datetime(when, 1, 2, 3, 4, tzinfo=UTC),
            ),
        )
    cat.relations.relate(third.id, item.id, "corroborates", note="همان رویداد")
    cat.relations.relate(item.id, hidden.id, "cites")
    return Source(
        cat,
        cat.units.get(collection.id),
        cat.units.get(item.id),
        cat.units.get(hidden.id),
        cat.units.get(third.id),
    )


def codes_writer(units: Iterable[ExportUnit], out: BinaryIO) -> int:
    """A stand-in for the finding-aid writers: one reference code a line."""
    count = 0
    for unit in units:
        out.write(unit.detail.reference_code.encode("utf-8") + b"\n")
        count += 1
    return count


def export(
    cat: Catalogue, target: Path, *, include_restricted: bool = False, **kwargs: Any
) -> tuple[BagReport, Selection]:
    selection = Selection(include_restricted=include_restricted)
    report = BagService(cat).export(
        target, selection, metadata={"codes.txt": codes_writer}, bag_info=INFO, **kwargs
    )
    if not report.cancelled:
        bagit.Bag(str(target)).validate()
    return report, selection


@pytest.fixture
def receiver(tmp_path: Path, empty_catalogue_file: Path) -> Iterator[Catalogue]:
    path = tmp_path / "receiver" / "second.sqlite"
    path.parent.mkdir()
    shutil.copyfile(empty_catalogue_file, path)
    with Catalogue.open(path, actor="receiver") as opened:
        yield opened


def records_of(bag: Path) -> list[dict[str, Any]]:
    with (bag / "data" / "metadata" / "records.json").open("rb") as reader:
        return list(records_json.read(reader))


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def store_files(cat: Catalogue) -> set[Path]:
    root = store.store_root(cat.path)
    return files_under(root) if root.exists() else set()


# -- export ----------------------------------------------------------------------------------


def test_export_writes_a_valid_bag_without_restricted_records(
    source: Source, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "bag"
    report, selection = export(source.catalogue, target)

    bag = bagit.Bag(str(target))
    bag.validate()
    assert (target / "bagit.txt").read_text(encoding="utf-8").startswith("BagIt-Version: 1.0\n")
    assert bag.info["Source-Organization"] == INFO["Source-Organization"]
    assert bag.info["External-Description"] == INFO["External-Description"]
    assert bag.info["Bag-Count"] == "1 of 1"
    assert bag.info["Bagging-Date"] == datetime.now().date().isoformat()
    assert "Payload-Oxum" in bag.info
    assert list(bag.manifest_files()) == [str(target / "manifest-sha256.txt")]

    item, hidden = source.open_item, source.restricted_item
    (original,) = item.files
    copy = target / "data" / "originals" / item.uuid / "سند شاهد ۱.txt"
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == original.sha256
    assert not (target / "data" / "originals" / hidden.uuid).exists()

    records = records_of(target)
    assert [r["uuid"] for r in records] == [
        source.collection.uuid,
        item.uuid,
        source.third.uuid,
    ]
    assert (target / "data" / "metadata" / "codes.txt").read_text(encoding="utf-8").split() == [
        r["reference_code"] for r in records
    ]
    assert report.records == 3
    assert report.originals == 1
    assert report.left_out == selection.left_out == 1
    assert report.left_out_codes == (hidden.reference_code,)
    assert report.metadata_files == ("records.json", "codes.txt")
    assert dict(report.writer_reports) == {"codes.txt": 3}
    assert not list(target.parent.glob(".bag.*"))  # no staging folder left behind


def test_records_json_holds_the_full_records(source: Source, tmp_path: Path) -> None:
    target = tmp_path / "bag"
    export(source.catalogue, target)
    record = next(r for r in records_of(target) if r["uuid"] == source.open_item.uuid)

    assert record["title"] == TITLE
    assert record["scope_content"] == SCOPE
    assert record["parent_uuid"] == source.collection.uuid
    assert record["archivist_note"] is None  # restricted field, left out
    (agent,) = record["agents"]
    assert agent["authorised_name"] == "محمد رضایی"
    assert agent["names"] == [{"name": "Mohammad Rezaei", "kind": "variant", "script": "Latn"}]
    assert agent["dates_of_existence"] == "1950-"
    assert record["places"][0]["variants"] == ["Tehran"]
    assert record["subjects"][0]["vocabulary"] == "local"
    (file,) = record["files"]
    assert file["sha256"] == source.open_item.files[0].sha256
    assert file["extracted_text"] == "متن شهادت اول"
    assert sorted(e["event_type"] for e in record["events"]) == ["capture", "ingestion"]
    assert [a["grade"] for a in record["assessments"]] == ["B2", "C2"]
    # The relation to the restricted record is left out with it; the other is by uuid.
    assert [(r["kind"], r["other_uuid"]) for r in record["relations"]] == [
        ("corroborates", source.third.uuid)
    ]
    audit = record["audit"]
    assert {row["table_name"] for row in audit} >= {
        "units",
        "files",
        "provenance_events",
        "reliability_assessments",
        "unit_agents",
    }
    assert any(row["field"] == "title" and row["new_value"] == TITLE for row in audit)
    assert SECRET not in json.dumps(record, ensure_ascii=False)


def test_restricted_records_and_notes_are_included_on_request(
    source: Source, tmp_path: Path
) -> None:
    target = tmp_path / "bag"
    report, _ = export(source.catalogue, target, include_restricted=True)
    hidden = source.restricted_item
    assert report.left_out == 0
    assert report.originals == 2
    assert (target / "data" / "originals" / hidden.uuid / "محرمانه.txt").is_file()
    records = {r["uuid"]: r for r in records_of(target)}
    item = records[source.open_item.uuid]
    assert item["archivist_note"] == SECRET
    assert any(r["other_uuid"] == hidden.uuid for r in item["relations"])
    assert any(row["new_value"] == SECRET for row in item["audit"])


def test_export_of_one_collection(source: Source, tmp_path: Path) -> None:
    cat = source.catalogue
    elsewhere = cat.units.create({"title": "another collection", "level": "collection"})
    target = tmp_path / "bag"
    selection = Selection(collection=source.collection.reference_code)
    BagService(cat).export(target, selection, metadata={}, bag_info=INFO)
    bagit.Bag(str(target)).validate()
    uuids = {r["uuid"] for r in records_of(target)}
    assert source.collection.uuid in uuids
    assert elsewhere.uuid not in uuids
    assert records_of(target)[0]["parent_uuid"] is None


def test_export_refuses_a_folder_that_is_not_empty(source: Source, tmp_path: Path) -> None:
    target = tmp_path / "bag"
    target.mkdir()
    (target / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(CatalogError, match="not empty"):
        export(source.catalogue, target)
    assert files_under(target) == {target / "keep.txt"}
    empty = tmp_path / "empty"
    empty.mkdir()
    export(source.catalogue, empty)  # an empty folder is fine


def test_export_refuses_a_damaged_stored_original(source: Source, tmp_path: Path) -> None:
    copy = OriginalsService(source.catalogue).stored_copy(source.open_item.files[0])
    assert copy is not None
    copy.chmod(stat.S_IRUSR | stat.S_IWUSR)
    copy.write_bytes(b"altered")
    target = tmp_path / "bag"
    with pytest.raises(OriginalDamaged, match=r"سند شاهد ۱\.txt of .*no longer matches"):
        export(source.catalogue, target)
    assert not target.exists()
    assert not list(tmp_path.glob(".bag*"))


def test_cancelled_export_leaves_nothing(source: Source, tmp_path: Path) -> None:
    target = tmp_path / "bag"
    calls: list[tuple[int, int]] = []

    def stop(done: int, total: int) -> bool:
        calls.append((done, total))
        return False

    report, _ = export(source.catalogue, target, report=stop)
    assert report.cancelled
    assert calls
    assert not target.exists()
    assert not list(tmp_path.glob(".bag*"))


def test_progress_covers_every_file_of_the_bag(source: Source, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []

    def note(done: int, total: int) -> bool:
        seen.append((done, total))
        return True

    export(source.catalogue, tmp_path / "bag", report=note)
    assert seen[-1][0] == seen[-1][1] == 6  # 3 records, read for records.json and codes.txt


# -- import ----------------------------------------------------------------------------------


def _details_by_uuid(cat: Catalogue) -> dict[str, UnitDetail]:
    return {unit.detail.uuid: unit.detail for unit in iter_units(cat, Selection(None, True))}


def test_round_trip_keeps_records_custody_assessments_and_originals(
    source: Source, receiver: Catalogue, tmp_path: Path
) -> None:
    bag = tmp_path / "bag"
    export(source.catalogue, bag, include_restricted=True)
    report = BagService(receiver).import_bag(bag)

    assert isinstance(report, BagImportReport)
    assert report.records == 4
    assert report.originals == 2
    assert report.relations == 2
    assert report.warnings == ()
    assert report.renamed == ()
    assert INFO["External-Description"] in report.source
    before = _details_by_uuid(source.catalogue)
    after = _details_by_uuid(receiver)
    assert before.keys() == after.keys()
    for uuid, old in before.items():
        new = after[uuid]
        for name in (
            "reference_code",
            "title",
            "title_source",
            "level",
            "position",
            "date_expression",
            "date_start",
            "date_end",
            "scope_content",
            "access_status",
            "archivist_note",
            "languages",
            "scripts",
            "harvested",
            "media_type",
            "created_at",
            "created_by",
        ):
            assert getattr(new, name) == getattr(old, name), name
        parent = {d.id: d.uuid for d in before.values()}.get(old.parent_id or 0)
        assert {d.id: d.uuid for d in after.values()}.get(new.parent_id or 0) == parent
        assert [(a.authorised_name, a.role) for a in new.agents] == [
            (a.authorised_name, a.role) for a in old.agents
        ]
        assert [(p.name, p.variants, p.latitude) for p in new.places] == [
            (p.name, p.variants, p.latitude) for p in old.places
        ]
        assert [(s.name, s.vocabulary) for s in new.subjects] == [
            (s.name, s.vocabulary) for s in old.subjects
        ]
        assert [(f.uuid, f.sha256, f.original_name, f.size) for f in new.files] == [
            (f.uuid, f.sha256, f.original_name, f.size) for f in old.files
        ]
        kept = [e for e in new.events if e.event_type != "transfer"]
        assert [
            (e.uuid, e.event_type, e.occurred_at, e.agent, e.note, e.recorded_by) for e in kept
        ] == [
            (e.uuid, e.event_type, e.occurred_at, e.agent, e.note, e.recorded_by)
            for e in old.events
        ]
        for old_event, new_event in zip(old.events, kept, strict=True):
            if old_event.file_id is not None:
                assert new_event.file_id == new.files[0].id
        (transfer,) = [e for e in new.events if e.event_type == "transfer"]
        assert transfer.note is not None
        assert INFO["External-Description"] in transfer.note
        assert INFO["Source-Organization"] in transfer.note
        assert transfer.recorded_by == "receiver"
        assert [
            (a.uuid, a.grade, a.assessor, a.assessed_at, a.corroboration_note, a.recorded_by)
            for a in new.assessments
        ] == [
            (a.uuid, a.grade, a.assessor, a.assessed_at, a.corroboration_note, a.recorded_by)
            for a in old.assessments
        ]
        assert [
            (r.kind, r.direction, after[_uuid_of(after, r.other_id)].uuid) for r in new.relations
        ] == [
            (r.kind, r.direction, before[_uuid_of(before, r.other_id)].uuid) for r in old.relations
        ]
    # The bytes came across, into the receiver's own store.
    originals = OriginalsService(receiver)
    for unit in after.values():
        for file in unit.files:
            copy = originals.stored_copy(file)
            assert copy is not None
            assert copy.is_relative_to(store.store_root(receiver.path))
            assert originals.verify(file.id).matches
    item = after[source.open_item.uuid]
    assert item.current_assessment is not None
    assert item.current_assessment.grade == "B2"
    agent = receiver.agents.get(item.agents[0].agent_id)
    assert [n.name for n in agent.names] == ["Mohammad Rezaei"]
    assert receiver.search.search("شهادت").total >= 1  # the originals' text is indexed
    assert receiver.integrity_problems() == []


def _uuid_of(details: dict[str, UnitDetail], unit_id: int) -> str:
    return next(uuid for uuid, d in details.items() if d.id == unit_id)


def test_a_relation_to_a_record_neither_in_the_bag_nor_here_is_said(
    source: Source, receiver: Catalogue, tmp_path: Path
) -> None:
    cat = source.catalogue
    elsewhere = cat.units.create({"title": "another collection", "level": "collection"})
    cat.relations.relate(source.third.id, elsewhere.id, "cites")
    bag = tmp_path / "bag"
    selection = Selection(collection=source.collection.reference_code, include_restricted=True)
    BagService(cat).export(bag, selection, metadata={}, bag_info=INFO)

    report = BagService(receiver).import_bag(bag)
    assert report.relations == 2  # those among the records of the bag
    assert report.warnings == (
        "1 relation left out: it names a record that is neither in the bag nor in this "
        f"catalogue ({source.third.reference_code} to {elsewhere.uuid})",
    )
    kept = _details_by_uuid(receiver)[source.third.uuid].relations
    assert [(r.kind, r.direction) for r in kept] == [("corroborates", "outgoing")]


def test_import_refuses_records_already_here(source: Source, tmp_path: Path) -> None:
    bag = tmp_path / "bag"
    export(source.catalogue, bag)
    with pytest.raises(ValidationError, match="already has 3 of the bag's records"):
        BagService(source.catalogue).import_bag(bag)


def test_taken_reference_codes_get_new_ones_in_line_with_their_parent(
    source: Source, receiver: Catalogue, tmp_path: Path
) -> None:
    bag = tmp_path / "bag"
    export(source.catalogue, bag)
    existing = receiver.units.create({"title": "already here", "level": "collection"})
    assert existing.reference_code == source.collection.reference_code
    report = BagService(receiver).import_bag(bag)
    top = receiver.units.get(report.top_ids[0])
    assert top.uuid == source.collection.uuid
    assert top.reference_code != existing.reference_code
    child = receiver.units.find(source.open_item.uuid)
    old_parent = source.collection.reference_code
    assert (
        child.reference_code
        == top.reference_code + source.open_item.reference_code[len(old_parent) :]
    )
    assert (source.collection.reference_code, top.reference_code) in report.renamed
    transfer = next(e for e in top.events if e.event_type == "transfer")
    assert transfer.note is not None
    assert old_parent in transfer.note


def test_existing_agents_places_and_subjects_are_reused(
    source: Source, receiver: Catalogue, tmp_path: Path
) -> None:
    bag = tmp_path / "bag"
    export(source.catalogue, bag)
    agent = receiver.agents.create("محمد رضایی")
    place = receiver.terms.place("تهران")
    report = BagService(receiver).import_bag(bag)
    assert report.agents_created == 0
    item = receiver.units.find(source.open_item.uuid)
    assert [a.agent_id for a in item.agents] == [agent.id]
    assert [p.id for p in item.places] == [place.id]


# -- refusing damaged, tampered and malicious bags ----------------------------------------


def _edit_payload(bag: Path) -> str:
    path = next((bag / "data" / "originals").rglob("*.txt"))
    data = bytearray(path.read_bytes())
    data[0] ^= 1  # same size, so only the checksum can tell
    path.write_bytes(bytes(data))
    return path.relative_to(bag).as_posix()


def _delete_payload(bag: Path) -> str:
    path = next((bag / "data" / "originals").rglob("*.txt"))
    path.unlink()
    return path.relative_to(bag).as_posix()


def _add_payload(bag: Path) -> str:
    path = bag / "data" / "originals" / "extra.txt"
    path.write_text("slipped in", encoding="utf-8")
    return "data/originals/extra.txt"


def _edit_records(bag: Path) -> str:
    path = bag / "data" / "metadata" / "records.json"
    path.write_bytes(path.read_bytes().replace(TITLE.encode(), "عنوان دیگر".encode()))
    return "data/metadata/records.json"


def _edit_manifest(bag: Path) -> str:
    manifest = bag / "manifest-sha256.txt"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    name = lines[0].split(maxsplit=1)[1]
    lines[0] = f"{'0' * 64}  {name}"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "manifest-sha256.txt"


@pytest.mark.parametrize(
    "tamper", [_edit_payload, _delete_payload, _add_payload, _edit_records, _edit_manifest]
)
def test_tampered_bags_are_refused_naming_the_file(
    source: Source, receiver: Catalogue, tmp_path: Path, tamper: Any
) -> None:
    bag = tmp_path / "bag"
    export(source.catalogue, bag)
    bad = tamper(bag)
    with pytest.raises(BagDamaged) as caught:
        BagService(receiver).import_bag(bag)
    message = str(caught.value)
    assert bad in message
    assert "nothing was imported" in message
    assert "\n" not in message
    assert receiver.stats().counts["units"] == 0
    assert store_files(receiver) == set()


def test_a_folder_that_is_not_a_bag_is_refused(receiver: Catalogue, tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(BagDamaged, match="not a usable BagIt bag"):
        BagService(receiver).import_bag(tmp_path / "plain")


def _rebag(bag: Path, records: list[dict[str, Any]], tmp_path: Path) -> Path:
    """A valid bag (checksums and all) made from `bag`'s payload with other records."""
    fresh = tmp_path / "rebagged"
    shutil.copytree(bag / "data", fresh)
    out = io.BytesIO()
    out.write(json.dumps(records, ensure_ascii=False).encode("utf-8"))
    (fresh / "metadata" / "records.json").write_bytes(out.getvalue())
    bagit.make_bag(str(fresh), dict(INFO), checksums=["sha256"])
    bagit.Bag(str(fresh)).validate()
    return fresh


@pytest.mark.parametrize("path", ["../escaped.txt", "data/../../escaped.txt", "/tmp/escaped.txt"])
def test_manifest_paths_outside_the_bag_are_refused(
    source: Source, receiver: Catalogue, tmp_path: Path, path: str
) -> None:
    bag = tmp_path / "bag"
    export(source.catalogue, bag)
    (tmp_path / "escaped.txt").write_text("outside", encoding="utf-8")
    digest = hashlib.sha256(b"outside").hexdigest()
    with (bag / "manifest-sha256.txt").open("a", encoding="utf-8") as manifest:
        manifest.write(f"{digest}  {path}\n")
    with pytest.raises(BagDamaged, match="unsafe"):
        BagService(receiver).import_bag(bag)
    assert receiver.stats().counts["units"] == 0
    assert store_files(receiver) == set()


def test_paths_in_records_json_never_decide_where_files_go(
    source: Source, receiver: Catalogue, tmp_path: Path
) -> None:
    bag = tmp_path / "bag"
    export(source.catalogue, bag)
    records = records_of(bag)
    for record in records:
        for file in record["files"]:
            file["original_name"] = "../../../../escaped-by-name.txt"
            file["stored_path"] = "../../../escaped-by-store-path"
            file["original_path"] = "/etc/passwd"
    rebagged = _rebag(bag, records, tmp_path)
    outside_before = files_under(tmp_path) - store_files(receiver)

    report = BagService(receiver).import_bag(rebagged)

    assert report.originals == 1
    new_files = files_under(tmp_path) - outside_before
    root = store.store_root(receiver.path)
    assert new_files, "the original was stored"
    assert all(p.is_relative_to(root) for p in new_files), new_files
    assert not list(tmp_path.rglob("escaped*"))
    item = receiver.units.find(source.open_item.uuid)
    assert item.files[0].stored_path == store.relative_path(item.files[0].sha256)


def test_records_json_naming_a_file_outside_the_payload_is_refused(
    source: Source, receiver: Catalogue, tmp_path: Path
) -> None:
    bag = tmp_path / "bag"
    export(source.catalogue, bag)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the bag", encoding="utf-8")
    records = records_of(bag)
    records[1]["files"][0]["sha256"] = hashlib.sha256(secret.read_bytes()).hexdigest()
    rebagged = _rebag(bag, records, tmp_path)
    with pytest.raises(ValidationError, match="does not hold the original"):
        BagService(receiver).import_bag(rebagged)
    assert store_files(receiver) == set()


def test_a_payload_link_to_a_file_outside_the_bag_is_refused(
    source: Source, receiver: Catalogue, tmp_path: Path
) -> None:
    bag = tmp_path / "bag"
    export(source.catalogue, bag)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the bag", encoding="utf-8")
    records = records_of(bag)
    record = records[1]
    record["files"][0]["sha256"] = hashlib.sha256(secret.read_bytes()).hexdigest()
    fresh = tmp_path / "linked"
    shutil.copytree(bag / "data", fresh)
    (original,) = (fresh / "originals" / record["uuid"]).iterdir()
    original.write_bytes(secret.read_bytes())  # the manifest gets the secret's checksum...
    (fresh / "metadata" / "records.json").write_text(
        json.dumps(records, ensure_ascii=False), encoding="utf-8"
    )
    bagit.make_bag(str(fresh), dict(INFO), checksums=["sha256"])
    original = fresh / "data" / original.relative_to(fresh)
    original.unlink()
    original.symlink_to(secret)  # ...and then the file is swapped for a link to it
    with pytest.raises(BagDamaged, match="is unsafe"):
        BagService(receiver).import_bag(fresh)
    assert store_files(receiver) == set()
    assert receiver.stats().counts["units"] == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"uuid": "not-a-uuid"}, "is not a UUID"),
        ({"level": "drawer"}, "not a valid level"),
        ({"parent_uuid": "3f1f0c4e-0000-4000-8000-000000000000"}, "parent is not in the bag"),
        ({"position": 2**70}, "position: .* is out of range"),  # more than SQLite holds
    ],
)
def test_malformed_records_are_refused(
    source: Source,
    receiver: Catalogue,
    tmp_path: Path,
    change: dict[str, object],
    message: str,
) -> None:
    bag = tmp_path / "bag"
    export(source.catalogue, bag)
    records = records_of(bag)
    records[1].update(change)
    with pytest.raises(ValidationError, match=message):
        BagService(receiver).import_bag(_rebag(bag, records, tmp_path))
    assert receiver.stats().counts["units"] == 0


def test_cancelled_import_writes_no_records(
    source: Source, receiver: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bag = tmp_path / "bag"
    export(source.catalogue, bag)
    monkeypatch.setattr("catalog_app.services.bags.CHUNK", 1)
    report = BagService(receiver).import_bag(bag, report=lambda done, total: False)
    assert report.cancelled
    assert receiver.stats().counts["units"] == 0


# -- records.json as a stream ------------------------------------------------------------


def test_records_json_is_read_one_record_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records_json, "_READ_SIZE", 7)
    records = [{"n": n, "text": "متن " * (n * 50), "x": [1.5, None, True]} for n in range(30)]
    data = json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")
    assert list(records_json.read(io.BytesIO(data))) == records
    assert list(records_json.read(io.BytesIO(b" [ ] "))) == []
    for bad in (b"{}", b"[{}, 3]", b"[{} {}]", b"[{}] x", b'[{"a": }]'):
        with pytest.raises(ValueError, match="records file"):
            list(records_json.read(io.BytesIO(bad)))


def test_records_json_write_streams(source: Source, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records_json, "CHUNK", 1)
    out = io.BytesIO()
    written_before: list[int] = []

    def units() -> Iterator[ExportUnit]:
        for unit in iter_units(source.catalogue, Selection(None, True)):
            written_before.append(len(out.getvalue()))
            yield unit

    report = records_json.write(units(), out, catalogue=source.catalogue, include_restricted=True)
    assert report.rows == 4
    assert written_before[0] < written_before[1] < written_before[3]  # written as it goes
    assert json.loads(out.getvalue())[0]["uuid"] == source.collection.uuid


def test_deeply_nested_records_json_is_refused_with_one_line(
    source: Source, receiver: Catalogue, tmp_path: Path
) -> None:
    bag = tmp_path / "bag"
    export(source.catalogue, bag)
    fresh = _rebag(bag, [], tmp_path)
    nested = b"[" + b"[" * 100_000 + b"]" * 100_000 + b"]"
    (fresh / "data" / "metadata" / "records.json").write_bytes(nested)
    bagit.Bag(str(fresh)).save(manifests=True)
    with pytest.raises(ValidationError, match="nests its values too deeply"):
        BagService(receiver).import_bag(fresh)
    assert receiver.stats().counts["units"] == 0


def test_an_export_to_an_impossible_name_fails_with_one_line(
    source: Source, tmp_path: Path
) -> None:
    from catalog_app.services.exports import ExportService

    folder = tmp_path / "exports"
    folder.mkdir()
    too_long = "x" * 300  # longer than a file name can be
    service = ExportService(source.catalogue)
    with pytest.raises(CatalogError, match="name too long"):
        service.export("csv", folder / f"{too_long}.csv")
    for name in (too_long, "x" * 250):  # the bag's staging folder's name is longer still
        with pytest.raises(CatalogError, match="name too long"):
            service.export("bag", folder / name)
    assert not list(folder.iterdir())
