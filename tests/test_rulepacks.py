"""Rule packs are checked whole; every problem names the file, the rule id and the field."""

from pathlib import Path

import pytest

from screening.errors import RulePackError
from screening.rulepacks import check_pack, load_pack, load_packs
from tests.engine_support import write_pack

GOOD = """\
pack: {id: test-pack, version: "1.0", title: Test, thresholds: {review: 20, high: 50}}
sources:
  - {id: S1, title: A public document, issuer: Somebody, date: 2018-07-23, url: "https://example.org/a"}
sectors:
  seafood: {title: Seafood, terms: [seafood], codes: {naics: [311710]}}
places:
  border: {title: Border cities, country: CN, terms: [Dandong]}
watchlists:
  - id: wl
    title: Watchlist
    tier: designated
    entries: [{name: Example Trading Corp, sources: [S1]}]
rules:
  - id: R-1
    title: Seafood supplier
    category: sector
    weight: 10
    confidence: reported
    sources: [S1]
    when: {sector: [seafood]}
"""


def _rule(when: str, extra: str = "") -> str:
    return GOOD + f"""\
  - id: R-2
    title: Second rule
    category: red-flag
    weight: 10
    confidence: confirmed
    sources: [S1]
{extra}    when: {when}
"""


def test_good_pack_loads(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path, GOOD))
    assert pack.id == "test-pack"
    assert pack.spec.pack.version == "1.0"
    assert pack.spec.sources[0].date == "2018-07-23"  # YAML dates become text
    assert pack.spec.sectors["seafood"].codes.naics == ["311710"]  # YAML ints become code text
    assert len(pack.sha256) == 64


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_rule("{txt: {terms: [x]}}"), "rule R-2: when: a condition needs exactly one key, one of: country, text"),
        (_rule("{text: {terms: [x], fields: [nam]}}"), "rule R-2: when.text.fields[0]: must be one of 'name'"),
        (_rule("{text: {terms: [x], field: [name]}}"), "rule R-2: when.text.field: unknown key"),
        (_rule("{pattern: {regex: '(('}}"), "rule R-2: when.pattern.regex: regular expression does not compile"),
        (_rule("{country: {in: [XX]}}"), "rule R-2: when.country.in[0]: 'XX' is not an ISO 3166 alpha-2"),
        (_rule("{any: [{sector: [seafood]}, {sector: [shoes]}]}"), "rule R-2: when.any[1].sector: unknown sector 'shoes'"),
        (_rule("{place: [nowhere]}"), "rule R-2: when.place: unknown place 'nowhere'"),
        (_rule("{watchlist: {list: other}}"), "rule R-2: when.watchlist.list: unknown watchlist 'other'"),
        (_rule("{not: {text: {terms: []}}}"), "rule R-2: when.not.text.terms: List should have at least 1 item"),
        (_rule("{text: {terms: [x]}}", "    colour: red\n"), "rule R-2: colour: unknown key"),
        (_rule("{text: {terms: [x]}}").replace("sources: [S1]\n    when", "sources: [S9]\n    when"),
         "rule R-2: sources: unknown source 'S9'; add it to sources:"),
        (_rule("{text: {terms: [x]}}").replace("id: R-2", "id: R-1"), "rule R-1: id: used twice in this pack"),
        (GOOD.replace("review: 20", "review: 60"), "pack.thresholds: Value error, review (60) must be below high (50)"),
        (GOOD.replace("tier: designated", "tier: rumoured"), "watchlists[0].tier: must be one of 'designated' or 'reported'"),
        (GOOD + "  - {id: R-9}\n", "rule R-9: title: Field required"),
        (GOOD.replace("title: Test,", "title: Test, title: Again,"), "not valid YAML: duplicate key 'title'"),
        ("rules: [\n", "not valid YAML"),
        ("- just a list\n", "a rule pack is a YAML mapping"),
    ],
)
def test_broken_packs_name_file_rule_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = write_pack(tmp_path, text)
    problems = check_pack(path)
    assert problems, "the pack should have been rejected"
    assert any(p.startswith(f"{path}: ") or p.startswith(f"{path}:") for p in problems)
    assert any(expected.replace("Value error, ", "") in p for p in problems), problems
    with pytest.raises(RulePackError) as raised:
        load_pack(path)
    assert "\n" not in str(raised.value)


def test_rule_ids_are_unique_across_packs(tmp_path: Path) -> None:
    first = write_pack(tmp_path, GOOD, "a.yaml")
    second = write_pack(tmp_path, GOOD.replace("id: test-pack", "id: other-pack"), "b.yaml")
    with pytest.raises(RulePackError, match=r"b\.yaml: rule R-1: id is also used in .*a\.yaml"):
        load_packs([first, second])


def test_folder_loads_every_pack_in_name_order(tmp_path: Path) -> None:
    write_pack(tmp_path, GOOD.replace("id: test-pack", "id: zz-pack").replace("R-1", "Z-1"), "z.yaml")
    write_pack(tmp_path, GOOD, "a.yaml")
    (tmp_path / "notes.txt").write_text("not a pack")
    assert [p.id for p in load_packs([tmp_path])] == ["test-pack", "zz-pack"]


def test_missing_pack_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="no such rule pack file or folder"):
        load_packs([tmp_path / "missing.yaml"])
    with pytest.raises(RulePackError, match=r"no rule packs \(\*\.yaml\) in this folder"):
        load_packs([tmp_path])
