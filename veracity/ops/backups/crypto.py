"""Optional encryption of backup archives with a Fernet key the administrator holds
(VERACITY_BACKUP_KEY). Files are encrypted in chunks so a large database never sits in memory whole."""

import hashlib
import struct
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from veracity.ops.backups.errors import BackupKeyError

MAGIC = b"VRCBAK1\n"
CHUNK = 8 * 1024 * 1024
SCHEME = "fernet-chunked-v1"


def key_id(key: str) -> str:
    """A short fingerprint of the key, to say which key a backup needs (it does not reveal the key)."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except (ValueError, TypeError) as error:
        raise BackupKeyError("VERACITY_BACKUP_KEY is not a valid Fernet key.") from error


def encrypt_file(source: Path, target: Path, key: str) -> None:
    fernet = _fernet(key)
    with source.open("rb") as reader, target.open("wb") as writer:
        writer.write(MAGIC)
        while chunk := reader.read(CHUNK):
            token = fernet.encrypt(chunk)
            writer.write(struct.pack(">I", len(token)))
            writer.write(token)


def decrypt_file(source: Path, target: Path, key: str) -> None:
    fernet = _fernet(key)
    with source.open("rb") as reader, target.open("wb") as writer:
        if reader.read(len(MAGIC)) != MAGIC:
            raise BackupKeyError(f"{source.name} is not an encrypted Veracity backup file.")
        while header := reader.read(4):
            (length,) = struct.unpack(">I", header)
            try:
                writer.write(fernet.decrypt(reader.read(length)))
            except InvalidToken as error:
                raise BackupKeyError("The backup key does not decrypt this backup (wrong key or damaged file).") \
                    from error
