"""Load rule packs from YAML and check them whole before any row is screened."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from screening.errors import RulePackError
from screening.rulepacks.schema import (
    AllCondition,
    AnyCondition,
    NotCondition,
    PlaceCondition,
    Rule,
    RulePackFile,
    SectorCondition,
    WatchlistCondition,
)

PACK_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class RulePack:
    spec: RulePackFile
    path: Path
    sha256: str

    @property
    def id(self) -> str:
        return self.spec.pack.id


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader (libyaml's when present) that refuses duplicate keys: YAML keeps the last silently."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def pack_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Expand folders to the packs inside them (sorted, so runs are deterministic)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in PACK_SUFFIXES and p.is_file())
            if not found:
                raise RulePackError(f"{path}: no rule packs (*.yaml) in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise RulePackError(f"{path}: no such rule pack file or folder")
    return files


def load_packs(paths: Iterable[str | os.PathLike[str]]) -> list[RulePack]:
    """Load and check every pack; rule ids must be unique across all of them."""
    packs = [load_pack(p) for p in pack_files(paths)]
    pack_ids: dict[str, Path] = {}
    rule_ids: dict[str, Path] = {}
    for pack in packs:
        if pack.id in pack_ids:
            raise RulePackError(f"{pack.path}: pack id {pack.id!r} is also used by {pack_ids[pack.id]}")
        pack_ids[pack.id] = pack.path
        for rule in pack.spec.rules:
            if rule.id in rule_ids:
                raise RulePackError(
                    f"{pack.path}: rule {rule.id}: id is also used in {rule_ids[rule.id]}; rule ids must be unique"
                )
            rule_ids[rule.id] = pack.path
    return packs


def load_pack(path: str | os.PathLike[str]) -> RulePack:
    pack, problems = _parse(Path(path))
    if pack is None:
        more = f" (and {len(problems) - 1} more; run: screening rules validate {path})" if len(problems) > 1 else ""
        raise RulePackError(problems[0] + more)
    return pack


def check_pack(path: str | os.PathLike[str]) -> list[str]:
    """Every problem in one pack, one line each, naming the file, rule id and field."""
    return _parse(Path(path))[1]


def _parse(path: Path) -> tuple[RulePack | None, list[str]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [f"{path}: cannot read rule pack: {exc.strerror or exc}"]
    try:
        raw = yaml.load(data.decode("utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 (safe loader subclass)
    except UnicodeDecodeError:
        return None, [f"{path}: rule pack is not UTF-8 text"]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [f"{path}:{where}: not valid YAML: {problem}"]
    if not isinstance(raw, dict):
        return None, [f"{path}: a rule pack is a YAML mapping with pack, sources and rules"]
    try:
        spec = RulePackFile.model_validate(raw)
    except ValidationError as exc:
        return None, [f"{path}: {_describe(err, raw)}" for err in exc.errors()]
    problems = [f"{path}: {p}" for p in _cross_references(spec)]
    if problems:
        return None, problems
    return RulePack(spec, path, hashlib.sha256(data).hexdigest()), []


def _describe(error: Any, raw: dict) -> str:
    loc = _clean_loc(error["loc"])
    where = _field_path(loc)
    prefix = ""
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rule_id = _rule_id(raw, loc[1])
        prefix = f"rule {rule_id}: " if rule_id else f"rules[{loc[1]}]: "
        where = _field_path(loc[2:])
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "unknown_operator":
        found = ", ".join(map(str, error["input"])) if isinstance(error["input"], dict) else repr(error["input"])
        message += f" (found: {found})"
    elif error["type"] == "extra_forbidden":
        message = "unknown key"
    elif error["type"] == "literal_error":
        message = message.replace("Input should be ", "must be one of ")
    return f"{prefix}{where or '(top level)'}: {message}"


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the union tags pydantic inserts ('when', 'text', 'text', 'terms' -> 'when', 'text', 'terms')."""
    cleaned: list[Any] = []
    for part in loc:
        if cleaned and part == cleaned[-1] and isinstance(part, str):
            continue
        cleaned.append({"not_": "not", "in_": "in", "list_": "list"}.get(part, part))
    return tuple(cleaned)


def _field_path(loc: Sequence[Any]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _rule_id(raw: dict, index: int) -> str | None:
    rules = raw.get("rules")
    if isinstance(rules, list) and index < len(rules) and isinstance(rules[index], dict):
        rule_id = rules[index].get("id")
        return str(rule_id) if rule_id else None
    return None


def _cross_references(spec: RulePackFile) -> list[str]:
    problems: list[str] = []
    source_ids = [s.id for s in spec.sources]
    known_sources = set(source_ids)
    for dup in sorted({s for s in source_ids if source_ids.count(s) > 1}):
        problems.append(f"sources: id {dup!r} is listed twice")
    watchlists = {w.id for w in spec.watchlists}
    for wl in spec.watchlists:
        for i, entry in enumerate(wl.entries):
            for src in entry.sources:
                if src not in known_sources:
                    problems.append(f"watchlists.{wl.id}.entries[{i}].sources: unknown source {src!r}")
    seen: set[str] = set()
    for rule in spec.rules:
        if rule.id in seen:
            problems.append(f"rule {rule.id}: id: used twice in this pack")
        seen.add(rule.id)
        for src in rule.sources:
            if src not in known_sources:
                problems.append(f"rule {rule.id}: sources: unknown source {src!r}; add it to sources:")
        for where, node in _walk(rule.when, "when"):
            if isinstance(node, SectorCondition):
                problems += [
                    f"rule {rule.id}: {where}.sector: unknown sector {s!r}; defined: {', '.join(spec.sectors) or 'none'}"
                    for s in node.sector if s not in spec.sectors
                ]
            elif isinstance(node, PlaceCondition):
                problems += [
                    f"rule {rule.id}: {where}.place: unknown place {p!r}; defined: {', '.join(spec.places) or 'none'}"
                    for p in node.place if p not in spec.places
                ]
            elif isinstance(node, WatchlistCondition) and node.watchlist.list_ not in watchlists:
                problems.append(f"rule {rule.id}: {where}.watchlist.list: unknown watchlist {node.watchlist.list_!r}")
    return problems


def _walk(node: BaseModel, where: str) -> Iterator[tuple[str, BaseModel]]:
    yield where, node
    if isinstance(node, AllCondition):
        for i, child in enumerate(node.all):
            yield from _walk(child, f"{where}.all[{i}]")
    elif isinstance(node, AnyCondition):
        for i, child in enumerate(node.any):
            yield from _walk(child, f"{where}.any[{i}]")
    elif isinstance(node, NotCondition):
        yield from _walk(node.not_, f"{where}.not")


def rules_of(packs: Sequence[RulePack]) -> Iterator[tuple[RulePack, Rule]]:
    for pack in packs:
        for rule in pack.spec.rules:
            yield pack, rule
