"""Sanctions lists: one parser per publisher format -> ListEntry records; a versioned local store."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from screening.lists.model import (
    SOURCES,
    Address,
    EntryType,
    Identifier,
    ListEntry,
    ListName,
    ParsedList,
    Strength,
)

# source -> "module:function"; imported on use so one broken parser cannot stop the others loading.
PARSERS: dict[str, str] = {
    "ofac-sdn": "screening.lists.ofac_csv:parse_sdn",
    "ofac-cons": "screening.lists.ofac_csv:parse_consolidated",
    "ofac-xml": "screening.lists.ofac_xml:parse",
    "un": "screening.lists.un_xml:parse",
    "eu": "screening.lists.eu_xml:parse",
    "uk": "screening.lists.uk_csv:parse",
    "opensanctions": "screening.lists.opensanctions_csv:parse",
}


def parser_for(source: str) -> Callable[[Path], ParsedList]:
    """The parser of a `--source` value; each takes the path the user gave (file or folder)."""
    module, _, function = PARSERS[source].partition(":")
    return getattr(importlib.import_module(module), function)


__all__ = [
    "PARSERS", "SOURCES", "Address", "EntryType", "Identifier", "ListEntry", "ListName", "ParsedList",
    "Strength", "parser_for",
]
