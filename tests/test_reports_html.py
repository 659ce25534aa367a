"""The HTML report: self-contained, everything escaped, flagged rows with their evidence."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from screening.reports import write_report
from tests.report_factory import HYPERLINK, SCRIPT, make_result


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> str:
    result = make_result()
    # Hostile text in every place a value can come from: cells (factory), rule titles, sources.
    result = replace(result, rules=[replace(result.rules[0], title="<img src=x onerror=alert(1)>"),
                                    *result.rules[1:]])
    return write_report(result, tmp_path_factory.mktemp("html") / "r.html").read_text("utf-8")


@pytest.fixture(scope="module")
def parsed(html: str) -> _Tags:
    tags = _Tags()
    tags.feed(html)
    return tags


def test_no_scripts_no_external_assets(parsed: _Tags) -> None:
    names = {t for t, _ in parsed.tags}
    assert not names & {"script", "img", "link", "iframe", "object", "embed"}
    assert all(not k.startswith("on") for _, attrs in parsed.tags for k in attrs)
    assert all("src" not in attrs for _, attrs in parsed.tags)


def test_content_security_policy_blocks_scripts(parsed: _Tags) -> None:
    [csp] = [a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp is not None and "default-src 'none'" in csp and "script-src" not in csp


def test_hostile_text_is_escaped(html: str, parsed: _Tags) -> None:
    assert SCRIPT not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<img" not in html
    text = "".join(parsed.text)
    assert SCRIPT in text and "<img src=x onerror=alert(1)>" in text  # shown to the reader as text
    assert HYPERLINK in text  # no apostrophe needed in HTML


def test_only_web_links_are_clickable(parsed: _Tags) -> None:
    hrefs = [a["href"] for t, a in parsed.tags if t == "a"]
    assert "https://www.state.gov/e/eb/tfs/spi/northkorea/advisories/284241.htm" in hrefs
    assert all(h and h.startswith("https://") for h in hrefs)  # javascript:alert(1) stays text
    assert "javascript:alert(1)" in "".join(parsed.text)


def test_summary_counts(html: str) -> None:
    for band, n in [("clear", 1), ("review", 4), ("high", 1), ("critical", 1)]:
        assert f'<td class="band-{band}">{band}</td><td class="num">{n}</td>' in html


def test_flagged_rows_only_worst_first_with_evidence(html: str) -> None:
    flagged = html.split('<h2 id="flagged">', 1)[1].split('<h2 id="rules">', 1)[0]
    assert "Flagged rows (6)" in flagged
    assert "Acme Textiles GmbH" not in flagged  # the clear row
    bands = re.findall(r'<tr><td class="band-(\w+)">', flagged)
    assert bands == ["critical", "high", "review", "review", "review", "review"]
    assert "KOREA SOBAEKSU TRADING COMPANY (93.5% similar)" in flagged
    assert "大连海洋食品有限公司" in flagged and "ООО «Приморская Стройка»" in flagged
    assert '<b class="unverified">Country in the ADV18 annex' in flagged


def test_rules_sources_errors_and_manifest(html: str) -> None:
    rules = html.split('<h2 id="rules">', 1)[1]
    assert "UN Security Council resolution 2397" in rules and "(UN Security Council, 2017-12-22)" in rules
    assert '<td class="unverified">unverified</td>' in rules
    assert "vendors_cn.csv, row 5: no supplier name; fill it in" in html.split('<h2 id="errors">', 1)[1]
    manifest = html.split('<h2 id="manifest">', 1)[1]
    assert "c" * 64 in manifest and "/data/in/suppliers_2025.xlsx" in manifest and "17512" in manifest


def test_no_errors_section_without_errors(tmp_path: Path) -> None:
    html = write_report(make_result(errors=False), tmp_path / "r.html").read_text("utf-8")
    assert 'id="errors"' not in html and 'id="manifest"' in html
