"""The keys of an encrypted catalogue.

The passphrase is stretched once per opening with Argon2id (libsodium, through PyNaCl) to
unseal the master key; every key the catalogue uses is derived from that with keyed BLAKE2b,
one purpose each: the SQLCipher key of the database, the key of the stored originals, the
key that names stored originals, and the key of the audit chain. Connections get the raw
database key, so SQLCipher does no key derivation of its own per connection.

The master key is random; beside the catalogue, `NAME-key` holds it sealed under a key
stretched from the passphrase (with the salt and Argon2id costs needed to stretch it again).
A wrong passphrase fails that seal's authentication, so it is told from a damaged catalogue.
The key file travels with the catalogue (backups carry it); without it the catalogue cannot
be opened.

The passphrase itself is never stored. Python cannot promise that no copy of a secret stays in
memory, so `CatalogueKeys.forget` overwrites what it holds and drops it; the rest is up to the
garbage collector.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import nacl.exceptions
import nacl.hash
import nacl.pwhash.argon2id
import nacl.secret
import nacl.utils
from nacl.encoding import RawEncoder

from catalog_app import staging
from catalog_app.errors import CatalogError, ValidationError, WrongPassphrase

KEY_FILE_SUFFIX = "-key"
FORMAT = "catalog-app encrypted catalogue 1"
KEY_BYTES = 32
SALT_BYTES = 16
# 256 MiB and three passes: about 0.4 s on a 2020s laptop, once per opening.
OPSLIMIT = nacl.pwhash.argon2id.OPSLIMIT_MODERATE
MEMLIMIT = nacl.pwhash.argon2id.MEMLIMIT_MODERATE
# For slow or small machines (and the test suite): Argon2id memory in MiB for new keys.
KDF_MEMORY_ENV = "CATALOG_KDF_MEMORY_MB"
MIN_MEMORY_MB = 8
MIN_PASSPHRASE = 8


def key_file_path(catalogue: Path) -> Path:
    return catalogue.with_name(catalogue.name + KEY_FILE_SUFFIX)


def _subkey(master: bytes | bytearray, purpose: bytes) -> bytearray:
    return bytearray(
        nacl.hash.blake2b(
            b"", digest_size=KEY_BYTES, key=bytes(master), person=purpose, encoder=RawEncoder
        )
    )


@dataclass(frozen=True)
class KeyFile:
    """What sits beside an encrypted catalogue: the catalogue's random master key, sealed
    (XSalsa20-Poly1305) under a key stretched from the passphrase. Changing the passphrase
    rewrites this file alone."""

    salt: bytes  # Argon2id's
    opslimit: int
    memlimit: int
    wrapped: bytes  # the master key, sealed
    database_salt: bytes  # SQLCipher's, at the start of the database file

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "kdf": "argon2id",
                "salt": self.salt.hex(),
                "opslimit": self.opslimit,
                "memlimit": self.memlimit,
                "wrapped": self.wrapped.hex(),
                "database_salt": self.database_salt.hex(),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> KeyFile:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a key file of this program")
        salt = bytes.fromhex(str(data["salt"]))
        database_salt = bytes.fromhex(str(data["database_salt"]))
        wrapped = bytes.fromhex(str(data["wrapped"]))
        if len(salt) != SALT_BYTES or len(database_salt) != SALT_BYTES or not wrapped:
            raise ValueError("key file fields have the wrong size")
        return cls(salt, int(data["opslimit"]), int(data["memlimit"]), wrapped, database_salt)


class CatalogueKeys:
    """The secrets of one open encrypted catalogue."""

    def __init__(self, master: bytearray, database_salt: bytes) -> None:
        self.database_salt = database_salt
        self._master = master
        self._keys = {
            purpose: _subkey(master, purpose)
            for purpose in (b"catl-database", b"catl-originals", b"catl-names", b"catl-chain")
        }

    def _get(self, purpose: bytes) -> bytes:
        key = self._keys.get(purpose)
        if key is None:
            raise CatalogError("The catalogue is locked; unlock it with its passphrase first.")
        return bytes(key)

    @property
    def database(self) -> tuple[bytes, bytes]:
        """SQLCipher's raw key and the salt at the start of the file."""
        return self._get(b"catl-database"), self.database_salt

    @property
    def originals(self) -> bytes:
        return self._get(b"catl-originals")

    @property
    def names(self) -> bytes:
        return self._get(b"catl-names")

    @property
    def chain(self) -> bytes:
        return self._get(b"catl-chain")

    def forget(self) -> None:
        for key in (*self._keys.values(), self._master):
            key[:] = bytes(len(key))
        self._keys.clear()

    def __repr__(self) -> str:  # never show key material in a log or traceback
        return "CatalogueKeys(<hidden>)"


def _stretch(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return bytes(
        nacl.pwhash.argon2id.kdf(
            KEY_BYTES, passphrase.encode("utf-8"), salt, opslimit=opslimit, memlimit=memlimit
        )
    )


def _memlimit() -> int:
    value = os.environ.get(KDF_MEMORY_ENV)
    if not value:
        return int(MEMLIMIT)
    try:
        megabytes = max(MIN_MEMORY_MB, int(value))
    except ValueError:
        return int(MEMLIMIT)
    return megabytes << 20


def check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError(
            f"The passphrase is too short: use at least {MIN_PASSPHRASE} characters "
            "(a few unrelated words are easy to remember and hard to guess)."
        )


def _wrap(master: bytes | bytearray, passphrase: str, database_salt: bytes) -> KeyFile:
    salt = nacl.utils.random(SALT_BYTES)
    opslimit, memlimit = int(OPSLIMIT), _memlimit()
    box = nacl.secret.SecretBox(_stretch(passphrase, salt, opslimit, memlimit))
    return KeyFile(salt, opslimit, memlimit, bytes(box.encrypt(bytes(master))), database_salt)


def create(passphrase: str) -> tuple[KeyFile, CatalogueKeys]:
    """New keys for a catalogue about to be encrypted."""
    check_new_passphrase(passphrase)
    master = bytearray(nacl.utils.random(KEY_BYTES))
    database_salt = nacl.utils.random(SALT_BYTES)
    return _wrap(master, passphrase, database_salt), CatalogueKeys(master, database_salt)


def rewrap(keys: CatalogueKeys, passphrase: str) -> KeyFile:
    """A key file opening the same catalogue with a new passphrase."""
    check_new_passphrase(passphrase)
    if not keys._keys:
        raise CatalogError("The catalogue is locked; unlock it with its passphrase first.")
    return _wrap(keys._master, passphrase, keys.database_salt)


def unlock(key_file: KeyFile, passphrase: str, catalogue: Path) -> CatalogueKeys:
    """The keys, if `passphrase` is the catalogue's; WrongPassphrase otherwise."""
    try:
        kek = _stretch(passphrase, key_file.salt, key_file.opslimit, key_file.memlimit)
    except (nacl.exceptions.CryptoError, ValueError) as exc:
        raise CatalogError(
            f"The key file {key_file_path(catalogue)} asks for more memory than this computer "
            "can give; open the catalogue on the computer that encrypted it."
        ) from exc
    try:
        master = bytearray(nacl.secret.SecretBox(kek).decrypt(key_file.wrapped))
    except nacl.exceptions.CryptoError:
        raise WrongPassphrase(f"The passphrase does not open {catalogue}. Try again.") from None
    return CatalogueKeys(master, key_file.database_salt)


def read_key_file(catalogue: Path) -> KeyFile | None:
    """The key file beside `catalogue`, None when there is none (a plain catalogue)."""
    path = key_file_path(catalogue)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(
            f"The key file {path} cannot be read ({exc.__class__.__name__})."
        ) from exc
    try:
        return KeyFile.from_json(text)
    except (ValueError, KeyError, TypeError) as exc:
        raise CatalogError(
            f"The key file {path} is damaged; restore it from a backup of the catalogue."
        ) from exc


def write_key_file(target: Path, key_file: KeyFile) -> None:
    """Write `target` (the key file's path) whole or not at all, readable by its owner only."""
    staged = staging.staging_path(target)
    try:
        descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as writer:
            writer.write(key_file.to_json())
            writer.flush()
            os.fsync(writer.fileno())
        staged.replace(target)
        staging.sync_folder(target.parent)
    finally:
        staged.unlink(missing_ok=True)
