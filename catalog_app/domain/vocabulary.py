"""Controlled vocabularies of the catalogue, stored as their string values."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """ISAD(G) 3.1.4 levels of description, with AtoM's additions."""

    FONDS = "fonds"
    SUBFONDS = "subfonds"
    COLLECTION = "collection"
    SERIES = "series"
    SUBSERIES = "subseries"
    FILE = "file"
    ITEM = "item"
    PART = "part"
    RECORD_GROUP = "record group"


class AccessStatus(StrEnum):
    OPEN = "open"
    RESTRICTED = "restricted"
    CONFIDENTIAL = "confidential"


class TitleSource(StrEnum):
    """Whether a person typed a value or the program harvested it from the document."""

    TYPED = "typed"
    HARVESTED = "harvested"


class DateKind(StrEnum):
    CREATION = "creation"
    PUBLICATION = "publication"
    CAPTURE = "capture"


class MediaKind(StrEnum):
    TEXT = "text"
    WEB_PAGE = "web page"
    PDF = "pdf"
    DOCUMENT = "document"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    OTHER = "other"


class AgentKind(StrEnum):
    """ISAAR(CPF) 5.1.1 type of entity."""

    PERSON = "person"
    ORGANISATION = "organisation"
    FAMILY = "family"


class AgentRole(StrEnum):
    CREATOR = "creator"
    PUBLISHER = "publisher"
    SUBJECT = "subject"
    MENTIONED = "mentioned"
    CUSTODIAN = "custodian"


class NameKind(StrEnum):
    """ISAAR(CPF) 5.1.3-5.1.5 forms of name besides the authorised one."""

    VARIANT = "variant"
    PARALLEL = "parallel"
    STANDARDISED = "standardised"


class EventType(StrEnum):
    """Custody-relevant PREMIS event types (id.loc.gov/vocabulary/preservation/eventType)."""

    CAPTURE = "capture"
    CREATION = "creation"
    ACQUISITION = "acquisition"
    ACCESSION = "accession"
    TRANSFER = "transfer"
    CUSTODY_CHANGE = "custody change"
    INGESTION = "ingestion"
    MESSAGE_DIGEST_CALCULATION = "message digest calculation"
    FIXITY_CHECK = "fixity check"
    VIRUS_CHECK = "virus check"
    FORMAT_IDENTIFICATION = "format identification"
    VALIDATION = "validation"
    METADATA_EXTRACTION = "metadata extraction"
    METADATA_MODIFICATION = "metadata modification"
    MIGRATION = "migration"
    NORMALIZATION = "normalization"
    REPLICATION = "replication"
    FILENAME_CHANGE = "filename change"
    REDACTION = "redaction"
    DEACCESSION = "deaccession"
    DELETION = "deletion"
    DIGITAL_SIGNATURE_VALIDATION = "digital signature validation"


class EventOutcome(StrEnum):
    SUCCESS = "success"
    WARNING = "warning"
    FAILURE = "failure"


class RelationKind(StrEnum):
    DUPLICATE_OF = "duplicate of"
    REPUBLISHES = "republishes"
    DERIVED_FROM = "derived from"
    CITES = "cites"
    CORROBORATES = "corroborates"
    CONTRADICTS = "contradicts"
    PART_OF = "part of"


class FoundBy(StrEnum):
    PERSON = "person"
    METHOD = "method"
