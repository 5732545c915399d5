"""The media files an Anki package carries, unpacked beside the imported deck."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from quiz.interchange import InterchangeError
from quiz.interchange.anki_notes import protobuf_fields
from quiz.interchange.untrusted import copy_capped, open_member

MAX_MEDIA_BYTES = 64 * 1024 * 1024  # one file
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
# What the imported text keeps of a file: [image: name] or [sound: name].
REFERENCE = re.compile(r"\[(?:image|sound): ([^\]]+)\]")


def referenced(texts: list[str]) -> set[str]:
    """The media files named in imported card texts."""
    return {m.group(1).strip() for text in texts for m in REFERENCE.finditer(text)}


def _safe_name(name: str) -> bool:
    # Names come from strangers: only a plain file name, never a path or a hidden file.
    return bool(name) and name == Path(name).name and not name.startswith(".") and "\\" not in name


def _media_map(archive: zipfile.ZipFile, names: set[str]) -> tuple[dict[str, str], bool]:
    """The package's media file names by archive member, and whether members are zstd'ed."""
    if "media" not in names:
        return {}, False
    with open_member(archive, "media", MAX_MEDIA_BYTES, "the media list") as member:
        data = member.read(MAX_MEDIA_BYTES + 1)
    if "collection.anki21b" in names:
        import zstandard

        # Current Anki: a zstd'ed protobuf list of entries, each member named by its index.
        try:
            with zstandard.ZstdDecompressor().stream_reader(data) as reader:
                raw = reader.read(MAX_MEDIA_BYTES + 1)
        except zstandard.ZstdError as exc:
            raise InterchangeError(f"the package's media list is damaged: {exc}") from exc
        entries = protobuf_fields(raw).get(1, [])
        out = {}
        for index, entry in enumerate(entries):
            if isinstance(entry, bytes):
                name = protobuf_fields(entry).get(1, [b""])[0]
                if isinstance(name, bytes):
                    out[str(index)] = name.decode("utf-8", "replace")
        return out, True
    try:
        mapping = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InterchangeError("the package's media list is not readable") from exc
    if not isinstance(mapping, dict):
        raise InterchangeError("the package's media list is not readable")
    return {str(k): str(v) for k, v in mapping.items()}, False


def extract_media(
    package: Path, wanted: set[str], folder: Path, *, keep_existing: bool = False
) -> tuple[list[str], list[str]]:
    """Unpack the wanted files into `folder`: (written, and notes on what was not)."""
    # With `keep_existing` (an update), a file already in the folder is kept and counted.
    notes: list[str] = []
    kept = 0
    written: list[str] = []
    try:
        archive = zipfile.ZipFile(package)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InterchangeError(f"cannot read the package's media: {exc}") from exc
    with archive:
        members = set(archive.namelist())
        mapping, zstd = _media_map(archive, members)
        by_name = {name: member for member, name in mapping.items() if member in members}
        total = 0
        for name in sorted(wanted):
            if not _safe_name(name):
                notes.append(f"media '{name}' not unpacked: not a plain file name")
                continue
            if name not in by_name:
                notes.append(f"media '{name}' is referenced but not in the package")
                continue
            target = folder / name
            if target.exists():
                if keep_existing:
                    kept += 1
                else:
                    notes.append(f"media '{name}' not unpacked: {target} already exists")
                continue
            folder.mkdir(exist_ok=True)
            total += _unpack(archive, by_name[name], target, zstd)
            if total > MAX_TOTAL_BYTES:
                raise InterchangeError("the package's media are larger than 1 GB once unpacked")
            written.append(name)
    if kept:
        notes.append(f"{kept} media file(s) already in {folder} kept as they are")
    return written, notes


def _unpack(archive: zipfile.ZipFile, member: str, target: Path, zstd: bool) -> int:
    what = f"media file '{target.name}'"
    try:
        with (
            open_member(archive, member, MAX_MEDIA_BYTES, what) as source,
            target.open("xb") as out,
        ):
            if zstd:
                import zstandard

                with zstandard.ZstdDecompressor().stream_reader(source) as reader:
                    return copy_capped(reader, out, MAX_MEDIA_BYTES, what)
            return copy_capped(source, out, MAX_MEDIA_BYTES, what)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
