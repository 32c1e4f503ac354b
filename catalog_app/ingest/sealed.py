"""The sealed form of a stored original, in the store of an encrypted catalogue.

A sealed file is libsodium's secretstream (XChaCha20-Poly1305) over the original's bytes:

    8 bytes   b"CATLSEAL"
    1 byte    the format's version (1)
    24 bytes  the stream's header (its random nonce)
    chunks    each 1 MiB of the original plus 17 bytes (its tag and authenticator); only the
              last may hold less, and only the last is tagged FINAL (an empty original is one
              empty FINAL chunk)

The magic and version are the first chunk's additional data, so they are authenticated too.
Each chunk's nonce follows from the one before, so a changed, swapped, dropped or added chunk,
a cut-off end, bytes after the end, or a file sealed under another key all fail to open.

Names: an encrypted catalogue's store names each copy by a BLAKE2b of its SHA-256 keyed with
the catalogue's naming key, so the names do not tell which known documents the store holds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Protocol

import nacl.exceptions
from nacl import bindings as _sodium

ABYTES: int = _sodium.crypto_secretstream_xchacha20poly1305_ABYTES
KEY_BYTES: int = _sodium.crypto_secretstream_xchacha20poly1305_KEYBYTES
_STREAM_HEADER_BYTES: int = _sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES
_TAG_MESSAGE: int = _sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
_TAG_FINAL: int = _sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
_State = _sodium.crypto_secretstream_xchacha20poly1305_state
_init_push = _sodium.crypto_secretstream_xchacha20poly1305_init_push
_init_pull = _sodium.crypto_secretstream_xchacha20poly1305_init_pull
_push = _sodium.crypto_secretstream_xchacha20poly1305_push
_pull = _sodium.crypto_secretstream_xchacha20poly1305_pull

MAGIC = b"CATLSEAL"
VERSION = 1
CHUNK = 1 << 20
_PREFIX = MAGIC + bytes([VERSION])
HEADER_BYTES = len(_PREFIX) + _STREAM_HEADER_BYTES


class NotAuthentic(ValueError):
    """A sealed copy that fails to open: altered, cut off, not sealed, or sealed under another
    key. Callers report the original as altered."""


class _HasStoreKeys(Protocol):
    @property
    def originals(self) -> bytes: ...

    @property
    def names(self) -> bytes: ...


@dataclass(frozen=True, repr=False)
class StoreKey:
    """The two keys of an encrypted catalogue's store: one seals the copies, one names them."""

    sealing: bytes
    naming: bytes

    def __post_init__(self) -> None:
        if len(self.sealing) != KEY_BYTES or len(self.naming) != KEY_BYTES:
            raise ValueError(f"store keys are {KEY_BYTES} bytes each")

    def __repr__(self) -> str:  # never show key material in a log or traceback
        return "StoreKey(<hidden>)"

    @classmethod
    def of(cls, keys: _HasStoreKeys) -> StoreKey:
        return cls(sealing=keys.originals, naming=keys.names)


def sealed_name(sha256: str, key: StoreKey) -> str:
    """The name a copy with this SHA-256 has in the store."""
    return hashlib.blake2b(bytes.fromhex(sha256), digest_size=32, key=key.naming).hexdigest()


def sealed_size(size: int) -> int:
    """The size on disk of a sealed copy of `size` bytes."""
    chunks = max(1, -(-size // CHUNK))
    return HEADER_BYTES + size + chunks * ABYTES


def read_full(reader: IO[bytes], size: int) -> bytes:
    """Up to `size` bytes, fewer only at the end of the file."""
    data = reader.read(size)
    while len(data) < size and (more := reader.read(size - len(data))):
        data += more
    return data


def seal(pieces: Iterable[bytes], key: StoreKey) -> Iterator[bytes]:
    """The sealed form of the plaintext given as pieces of CHUNK bytes (the last may be
    shorter, or empty): the header first, then one sealed chunk per piece."""
    state = _State()
    yield _PREFIX + _init_push(state, key.sealing)
    extra: bytes | None = _PREFIX
    previous: bytes | None = None
    for piece in pieces:
        if previous is not None:
            yield _push(state, previous, extra, _TAG_MESSAGE)
            extra = None
        if len(piece) > CHUNK or (previous is not None and len(previous) != CHUNK):
            raise ValueError("only the last piece may be shorter than a chunk")
        previous = piece
    yield _push(state, previous or b"", extra, _TAG_FINAL)


def unseal(reader: IO[bytes], key: StoreKey) -> Iterator[bytes]:
    """The plaintext of the sealed file open in `reader`, chunk by chunk. Each chunk is
    authentic when it is given; the whole is only once the iterator ends without raising
    NotAuthentic (a cut-off end is found at the end)."""
    prefix = read_full(reader, HEADER_BYTES)
    if len(prefix) < HEADER_BYTES or not prefix.startswith(MAGIC):
        raise NotAuthentic("the file is not a sealed original")
    if prefix[len(MAGIC)] != VERSION:
        raise NotAuthentic(
            f"the file is sealed in an unknown format (version {prefix[len(MAGIC)]})"
        )
    state = _State()
    try:
        _init_pull(state, prefix[len(_PREFIX) :], key.sealing)
    except nacl.exceptions.CryptoError as exc:
        raise NotAuthentic("the sealed file's header is damaged") from exc
    extra: bytes | None = _PREFIX
    while True:
        sealed = read_full(reader, CHUNK + ABYTES)
        if len(sealed) < ABYTES:
            raise NotAuthentic("the sealed file is cut off")
        try:
            plain, tag = _pull(state, sealed, extra)
        except nacl.exceptions.CryptoError as exc:
            raise NotAuthentic("the sealed file fails its authentication") from exc
        extra = None
        if tag == _TAG_FINAL:
            if reader.read(1):
                raise NotAuthentic("the sealed file has bytes after its end")
            yield plain
            return
        if tag != _TAG_MESSAGE or len(plain) != CHUNK:
            raise NotAuthentic("the sealed file is cut off")
        yield plain
