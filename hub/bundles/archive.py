"""Reading an untrusted bundle: every check that must pass before any of it is stored."""

from __future__ import annotations

import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from marshmallow import ValidationError

from hub.bundles import format as fmt
from hub.bundles import signing
from hub.errors import BundleRejected, HubError
from hub.storage.staging import Staged

_ASK = "请向制作它的平台重新索取。Ask its hub for a new bundle."


@dataclass(frozen=True)
class Limits:
    """Over `max_total` bytes, or an entry inflating over `max_ratio` times: a bomb."""

    max_total: int = 64 << 30
    max_ratio: int = 200
    max_manifest: int = 512 << 20
    max_entries: int = 1_000_000
    ratio_floor: int = 1 << 20  # entries below this size may compress as well as they like


def rejected(problem_zh: str, problem_en: str, todo: str = _ASK) -> BundleRejected:
    return BundleRejected(f"{problem_zh}。{problem_en}. {todo}")


class BundleArchive:
    """`with BundleArchive(path, limits) as bundle:` checks the central directory on open."""

    def __init__(self, path: Path, limits: Limits = Limits()):
        self.path, self.limits = Path(path), limits
        try:
            self.zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise rejected(
                "离线包不是完整的 ZIP 文件（可能下载未完成）",
                f"The bundle is not a complete ZIP file ({exc}); it was probably cut short",
                "请重新下载后再导入。Download it again, then import it.",
            ) from None
        try:
            self.entries = self._check_directory()
        except BaseException:
            self.zip.close()
            raise

    def __enter__(self) -> BundleArchive:
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()

    def _check_directory(self) -> dict[str, zipfile.ZipInfo]:
        infos = self.zip.infolist()
        if len(infos) > self.limits.max_entries:
            raise rejected(
                "条目过多", f"The bundle has more than {self.limits.max_entries} entries"
            )
        entries: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            self._check_entry(info)
            if info.filename in entries:
                raise rejected("条目重名", f"The entry {info.filename!r} appears twice")
            entries[info.filename] = info
        total = sum(info.file_size for info in infos)
        if total > self.limits.max_total:
            raise rejected(
                "解压后过大",
                f"The bundle would unpack to {total} bytes, over the limit "
                f"of {self.limits.max_total}",
                "请分成较小的离线包。Ask for smaller bundles (narrower searches).",
            )
        return entries

    def _check_entry(self, info: zipfile.ZipInfo) -> None:
        reason = fmt.unsafe_path_reason(info.filename)
        if reason:
            raise rejected(
                "条目路径会逃出解压目录",
                f"The entry {info.filename!r} would unpack outside its folder ({reason})",
                "不要解压或导入此文件。Do not unpack or import this file.",
            )
        if fmt.is_symlink(info):
            raise rejected(
                "包含符号链接",
                f"The entry {info.filename!r} is a symbolic link, which bundles never hold",
                "不要解压或导入此文件。Do not unpack or import this file.",
            )
        if info.file_size > self.limits.ratio_floor and (
            info.file_size > max(info.compress_size, 1) * self.limits.max_ratio
        ):
            raise rejected(
                "疑似压缩炸弹",
                f"The entry {info.filename!r} inflates {info.file_size} bytes from "
                f"{info.compress_size}: a decompression bomb",
                "不要解压或导入此文件。Do not unpack or import this file.",
            )

    # -- the manifest ----------------------------------------------------------------------------
    def read_small(self, name: str, limit: int) -> bytes | None:
        info = self.entries.get(name)
        if info is None:
            return None
        if info.file_size > limit:
            raise rejected("清单过大", f"{name} is {info.file_size} bytes, over {limit}")
        with self._open(info) as stream:
            body = self.read_chunk(stream, info, limit + 1)
        if len(body) != info.file_size:
            raise self.damaged(name, "its size differs from the directory's")
        return body

    def manifest(self, trusted: set[str], allow_unsigned: bool) -> dict:
        """The manifest: signed by a trusted key (unless allowed unsigned), of the known shape."""
        body = self.read_small(fmt.MANIFEST, self.limits.max_manifest)
        if body is None:
            raise rejected(
                "缺少 manifest.json", "The bundle has no manifest.json; it is not an EduHub bundle"
            )
        signature = self.read_small(fmt.SIGNATURE, 1 << 16)
        self.signed_by = None  # the signing key (base64), once verified
        if not allow_unsigned or signature is not None:
            self.signed_by = signing.verify(
                body, signature, trusted, allow_untrusted=allow_unsigned
            )
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise rejected(
                "manifest.json 不是有效的 JSON", f"manifest.json is not valid JSON ({exc})"
            ) from None
        try:
            manifest = fmt.check_manifest(data)
        except ValidationError as exc:
            raise rejected(
                "清单格式不对或版本未知",
                f"manifest.json is not a version-{fmt.VERSION} EduHub manifest: "
                f"{json.dumps(exc.messages, ensure_ascii=False)[:500]}",
                "请用本平台支持的版本重新导出。"
                "Export it again with a hub that writes this version.",
            ) from None
        self._check_listed(manifest)
        return manifest

    def _check_listed(self, manifest: dict) -> None:
        for entry in manifest["files"]:
            info = self.entries.get(entry["path"])
            if info is None:
                raise rejected(
                    "清单列出的文件不在包内",
                    f"The manifest names {entry['path']}, which the bundle lacks",
                )
            if info.file_size != entry["size"]:
                raise self.damaged(entry["path"], "its size differs from the manifest's")

    # -- the files -------------------------------------------------------------------------------
    def stage(self, store, entry: dict, progress=None) -> Staged:
        """One listed file into the store's staging area, SHA-256 checked; nothing committed."""
        info = self.entries[entry["path"]]
        with self._open(info) as stream:
            try:
                staged = store.stage(
                    _Counted(stream, info, self, progress),
                    max_bytes=entry["size"],
                    expected_length=entry["size"],
                )
            except HubError:
                raise self.damaged(
                    entry["path"], "it ends early or is longer than listed"
                ) from None
        if staged.sha256 != entry["sha256"]:
            store.discard(staged)
            raise rejected(
                "文件内容与校验和不符",
                f"The bytes of {entry['path']} do not match their SHA-256 checksum: the bundle "
                "was damaged or altered",
            )
        return staged

    def _open(self, info: zipfile.ZipInfo):
        try:
            return self.zip.open(info)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise self.damaged(info.filename, str(exc)) from None

    def read_chunk(self, stream, info: zipfile.ZipInfo, size: int) -> bytes:
        try:
            return stream.read(size)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise self.damaged(info.filename, str(exc)) from None

    def damaged(self, name: str, why: str) -> BundleRejected:
        return rejected(
            "离线包已损坏或不完整", f"The bundle is damaged or incomplete: {name}: {why}"
        )


class _Counted:
    """A reader that refuses to go past the size the directory declares."""

    def __init__(self, stream, info: zipfile.ZipInfo, archive: BundleArchive, progress):
        self.stream, self.info, self.archive, self.progress = stream, info, archive, progress
        self.seen = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.archive.read_chunk(self.stream, self.info, size)
        self.seen += len(chunk)
        if self.seen > self.info.file_size:
            raise self.archive.damaged(self.info.filename, "it inflates past its declared size")
        if self.progress:
            self.progress(len(chunk))
        return chunk
