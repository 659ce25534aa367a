"""Reading a publisher's list file: one place for the checks every parser makes first."""

from __future__ import annotations

from pathlib import Path

from screening.errors import InputError


def read_source(path: Path, file_names: tuple[str, ...], expected: str) -> tuple[Path, bytes]:
    """The bytes of the list file; a folder is searched for the publisher's usual file names."""
    if path.is_dir():
        found = [path / name for name in file_names if (path / name).is_file()]
        if not found:
            raise InputError(f"{path}: is a folder without {' or '.join(file_names)}; pass {expected}")
        path = found[0]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found; pass {expected}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc}); check the path and permissions") from None
    if not data.strip():
        raise InputError(f"{path}: is empty; expected {expected}")
    return path, data
