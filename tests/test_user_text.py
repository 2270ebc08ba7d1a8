"""Text that reaches users stands alone: it cites no document readers do not have, no machine path
and no development history; the README stays short; every relative link in the README and docs/
leads to a file of the repository."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Where user-facing text lives: documentation, data files with sources, and the code readers open
# (docstrings and comments of the package, the workflow and the scripts).
TEXT_ROOTS = ("README.md", "docs", "config", "topologies", "hardware", "profiles", "Snakefile", "Makefile",
              "workflow", "scripts")
TEXT_SUFFIXES = {".md", ".py", ".smk", ".yaml", ".yml", ".json", ".cfg", ".csv", ".c", ".sh", ".txt", ""}
SKIPPED_PARTS = ("__pycache__",)

# Documents only the developers had, machine paths, and development-log wording.
FORBIDDEN = re.compile(
    r"\.\./shared|[Ii]ssue [0-9]|(?<![\w.])/work/|contracts\.md|scalesim-v2-behaviour|gainsight-method"
    r"|memory-devices\.md|before this session|this round")

README_LIMIT_BYTES = 10_240
LINK = re.compile(r"\]\(([^)\s]+)\)")


def user_text_files():
    for root in TEXT_ROOTS:
        path = REPO / root
        candidates = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for candidate in candidates:
            parts = candidate.relative_to(REPO).parts
            if any(part in SKIPPED_PARTS or part.endswith(".egg-info") for part in parts):
                continue
            if candidate.suffix in TEXT_SUFFIXES:
                yield candidate


def forbidden_lines(text):
    """(line number, line) of every line of `text` that matches FORBIDDEN."""
    return [(number, line) for number, line in enumerate(text.splitlines(), start=1) if FORBIDDEN.search(line)]


def relative_links(text):
    """Link targets of markdown `text` that point into the repository (no URL, no bare anchor),
    without their `#anchor`."""
    targets = (match.group(1) for match in LINK.finditer(text))
    return [target.split("#")[0] for target in targets
            if not re.match(r"[a-z]+:", target) and not target.startswith("#")]


@pytest.mark.parametrize("line, hit", [
    ("see ../shared/reference for it", True),
    ("fixed in issue 4", True),
    ("Issue 12 says", True),
    ("python3 -m venv /work/scalesim-venv", True),
    ("as contracts.md says", True),
    ("scalesim-v2-behaviour.md section 5", True),
    ("gainsight-method.md 9.4", True),
    ("memory-devices.md section 9", True),
    ("224 s before this session", True),
    ("measured after this round", True),
    ("SCALE-Sim's OS counter adds R + C per fold (SCALE-Sim issue #166)", False),
    ("the tests in tests/data/golden", False),
    ("a work folder ./work/x", False),
])
def test_the_pattern_finds_what_it_should(line, hit):
    assert bool(forbidden_lines(line)) == hit


def test_relative_links_are_read_without_anchors_and_urls():
    text = "[a](docs/x.md#top) ![b](img.png) [c](https://example.org/y) [d](#local) [e](mailto:a@b.c)"
    assert relative_links(text) == ["docs/x.md", "img.png"]


def test_user_facing_text_cites_nothing_readers_lack():
    files = list(user_text_files())
    assert REPO / "README.md" in files and any(path.suffix == ".json" for path in files)
    hits = [f"{path.relative_to(REPO)}:{number}: {line.strip()}"
            for path in files for number, line in forbidden_lines(path.read_text(errors="replace"))]
    assert not hits, "user-facing text cites internal documents, machine paths or history:\n" + "\n".join(hits)


def test_readme_is_short():
    size = (REPO / "README.md").stat().st_size
    assert size <= README_LIMIT_BYTES, f"README.md is {size} bytes; at most {README_LIMIT_BYTES}"


def test_readme_keeps_the_two_commands():
    text = (REPO / "README.md").read_text()
    assert "make run" in text and "make test" in text


def test_every_relative_link_leads_to_a_file():
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    broken = [f"{page.relative_to(REPO)}: {target}"
              for page in pages for target in relative_links(page.read_text())
              if not (page.parent / target).exists()]
    assert not broken, "broken links:\n" + "\n".join(broken)
