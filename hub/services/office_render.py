"""First page of an office file (a slide deck, a lesson plan) as a one-page PDF, by LibreOffice.

LibreOffice is optional: without it `soffice()` is None and callers fall back to cheaper previews.
Each run gets a throwaway profile (parallel runs would otherwise fight over ~/.config), no shell,
and runs in the sandbox (hub/sandbox.py): CPU and memory limits, and a timeout that kills the
whole process group (soffice is a wrapper that starts soffice.bin, which a plain kill would leave).
Files come from anyone, so the profile blocks linked pictures and files (a document could otherwise
make the worker fetch internal URLs or paint a local file into its preview) and macros.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hub import sandbox

COMMANDS = ("soffice", "libreoffice")
TIMEOUT = 90  # seconds; a 300-slide deck exports only its first page, but still has to be loaded
OOXML = "application/vnd.openxmlformats-officedocument."
# mimetype (as hub/storage/sniff.py stores it) -> (extension LibreOffice knows it by, PDF filter)
SLIDES = {
    OOXML + "presentationml.presentation": (".pptx", "impress_pdf_Export"),
    "application/vnd.ms-powerpoint": (".ppt", "impress_pdf_Export"),
    "application/vnd.oasis.opendocument.presentation": (".odp", "impress_pdf_Export"),
    "application/wps-office.dps": (".dps", "impress_pdf_Export"),
}
DOCUMENTS = {
    OOXML + "wordprocessingml.document": (".docx", "writer_pdf_Export"),
    "application/msword": (".doc", "writer_pdf_Export"),
    "application/vnd.oasis.opendocument.text": (".odt", "writer_pdf_Export"),
    "application/rtf": (".rtf", "writer_pdf_Export"),
    "application/wps-office.wps": (".wps", "writer_pdf_Export"),
}
FORMATS = {**SLIDES, **DOCUMENTS}

# Security settings of each throwaway profile (org.openoffice.Office.Common/Security/Scripting).
LOCKED_DOWN = {
    "BlockUntrustedRefererLinks": "true",
    "DisableMacrosExecution": "true",
    "MacroSecurityLevel": "3",
}


class ConversionFailed(RuntimeError):
    """LibreOffice exited badly, timed out or wrote no PDF."""


def soffice() -> str | None:
    """The LibreOffice binary on PATH, or None when it is not installed."""
    return next((found for name in COMMANDS if (found := shutil.which(name))), None)


def first_page_pdf(
    source: Path, mimetype: str, workdir: Path, *, timeout: float | None = None
) -> Path:
    """Convert `source` (a private copy inside `workdir`, named with its extension) to a PDF of its
    first page in `workdir`/out; raises ConversionFailed or sandbox.LimitExceeded."""
    return to_pdf(source, mimetype, workdir, timeout=timeout, pages="1")


def to_pdf(
    source: Path,
    mimetype: str,
    workdir: Path,
    *,
    timeout: float | None = None,
    pages: str | None = None,
) -> Path:
    """`first_page_pdf` for a page range (LibreOffice's syntax, e.g. "1"), or every page."""
    binary = soffice()
    if binary is None:
        raise ConversionFailed("LibreOffice (soffice) is not installed")
    out = workdir / "out"
    command = [
        binary,
        "--headless",
        "--norestore",
        "--nologo",
        "--nolockcheck",
        f"-env:UserInstallation={_profile(workdir).as_uri()}",
        "--convert-to",
        _target(FORMATS[mimetype][1], pages),
        "--outdir",
        str(out),
        str(source),
    ]
    _run(command, workdir, TIMEOUT if timeout is None else timeout)
    pdf = out / (source.stem + ".pdf")
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise ConversionFailed("LibreOffice wrote no PDF")
    return pdf


def _profile(workdir: Path) -> Path:
    """A fresh profile holding only LOCKED_DOWN; LibreOffice fills in the rest on start."""
    profile = workdir / "profile"
    (profile / "user").mkdir(parents=True)
    items = "".join(
        f'<item oor:path="/org.openoffice.Office.Common/Security/Scripting">'
        f'<prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>\n'
        for name, value in LOCKED_DOWN.items()
    )
    (profile / "user" / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        f'xmlns:xs="http://www.w3.org/2001/XMLSchema">\n{items}</oor:items>\n',
        encoding="utf-8",
    )
    return profile


def _target(export_filter: str, pages: str | None) -> str:
    """`pdf:FILTER:{options}`: export `pages` only (LibreOffice 7.4+ reads JSON filter options)."""
    if pages is None:
        return f"pdf:{export_filter}"
    options = {"PageRange": {"type": "string", "value": pages}}
    return f"pdf:{export_filter}:{json.dumps(options, separators=(',', ':'))}"


def _run(command: list[str], workdir: Path, timeout: float) -> None:
    """Run in the sandbox (own process group, CPU and memory limits) with HOME in `workdir`; a
    limit hit (timeout too) raises sandbox.LimitExceeded, any other failure ConversionFailed."""
    env = sandbox.child_env(HOME=str(workdir))
    try:
        sandbox.run(command, cwd=workdir, env=env, timeout=timeout, name="LibreOffice")
    except sandbox.LimitExceeded:
        raise
    except sandbox.SandboxError as exc:
        raise ConversionFailed(str(exc)) from None
