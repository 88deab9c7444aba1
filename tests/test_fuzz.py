"""Fuzzing: real workbooks and published reports, damaged by hypothesis, through check, consolidate and
import (in this process), and a smaller number through the command line.

The bar: no traceback, no hang, every case ends in a report or a Chinese message naming the file,
and the inputs are byte for byte as they were.  The run is the same every time (derandomized, no
example database, each family seeded by its name) and counts its cases; the figures are printed at the end of the test session and
by `python benchmarks/fuzz_report.py`.  A failure names the mutation and the file the mutant was
saved to (see tests/fuzz.py).
"""
import hashlib
import resource

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings

import fuzz
from fuzz import REPORT_SEEDS, TALLY, WORKBOOK_SEEDS

settings.register_profile(
    "xxgk-fuzz", derandomize=True, database=None, deadline=None, print_blob=False,
    # each example is a whole file through three paths; a failure's mutant is saved, so no shrinking
    phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck))
FUZZ = settings.get_profile("xxgk-fuzz")

# A mutant that makes a path allocate without bound must fail here, named and saved, as a MemoryError
# inside `guarded`, not grow the process until the machine's OOM killer ends the whole run unexplained
# (seen in clean-clone CI: 22-24 GB).  The bar is far above a case's needs (a few hundred MB).
MEMORY_LIMIT = 8 << 30  # bytes of address space


def _limit_memory() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft > MEMORY_LIMIT:
        resource.setrlimit(resource.RLIMIT_AS, (min(MEMORY_LIMIT, hard) if hard != resource.RLIM_INFINITY
                                                else MEMORY_LIMIT, hard))


_limit_memory()

# Examples per family: together over 1,000 distinct files through check, consolidate and import (some
# mutations of a seed give the same file as another).
RAW_ZIP, MEMBER_BYTES, REFERENCES, XML, PARTS, DOCX, TEXT, CLI = 200, 170, 100, 360, 120, 110, 80, 24
FORMULA_TEXTS, NON_UTF8_NAMES, NON_UTF8_NAMES_CLI = 20, 20, 6
FORGED = 40  # styles parts forged to the good workbooks' checksum
NON_REGULAR, LONG_TEXTS = 24, 20


class _Figures:
    def pytest_terminal_summary(self, terminalreporter):
        if TALLY.cases or TALLY.cli_cases:
            terminalreporter.section("fuzz figures")
            for line in fuzz.figures():
                terminalreporter.write_line(line)


@pytest.fixture(scope="module", autouse=True)
def _print_figures(request):
    if not request.config.pluginmanager.has_plugin("xxgk-fuzz-figures"):
        request.config.pluginmanager.register(_Figures(), "xxgk-fuzz-figures")
    yield


def tried(run, examples: int) -> None:
    """Run a family's examples and make sure they were all tried."""
    before = TALLY.cases + TALLY.cli_cases
    run()
    assert TALLY.cases + TALLY.cli_cases - before >= examples


def family(name: str, strategy, examples: int, run=fuzz.run_case):
    """`examples` mutants drawn from `strategy`, each run through the paths (a hypothesis test).  Seeded
    by its name: derandomized tests of the same source would otherwise draw from the same seed."""
    @seed(name)
    @settings(FUZZ, max_examples=examples)
    @given(strategy)
    def cases(mutant):
        run(mutant)

    cases.__name__ = cases.__qualname__ = name
    return cases


raw_zip_cases = family("raw_zip_cases", fuzz.raw_zip_mutants(WORKBOOK_SEEDS), RAW_ZIP)
member_byte_cases = family("member_byte_cases", fuzz.member_byte_mutants(WORKBOOK_SEEDS), MEMBER_BYTES)
reference_cases = family("reference_cases", fuzz.reference_mutants(WORKBOOK_SEEDS), REFERENCES)
xml_cases = family("xml_cases", fuzz.xml_mutants(WORKBOOK_SEEDS), XML)
part_cases = family("part_cases", fuzz.part_mutants(WORKBOOK_SEEDS), PARTS)
docx_cases = family("docx_cases", fuzz.docx_mutants(), DOCX)
text_cases = family("text_cases", fuzz.text_mutants(("report.html", "report.txt")), TEXT)
forged_checksum_cases = family("forged_checksum_cases", fuzz.forged_checksum_mutants(), FORGED, fuzz.run_forged_case)
cli_cases = family("cli_cases", fuzz.workbook_mutants() | fuzz.report_mutants(), CLI, fuzz.run_cli_case)
formula_text_cases = family("formula_text_cases", fuzz.formula_text_mutants(), FORMULA_TEXTS, fuzz.run_text_case)
non_utf8_name_cases = family("non_utf8_name_cases", fuzz.non_utf8_name_mutants(), NON_UTF8_NAMES, fuzz.run_text_case)
non_utf8_name_cli_cases = family("non_utf8_name_cli_cases", fuzz.non_utf8_name_mutants(), NON_UTF8_NAMES_CLI,
                                 fuzz.run_cli_case)
non_regular_cases = family("non_regular_cases", fuzz.non_regular_mutants(), NON_REGULAR)
long_text_cases = family("long_text_cases", fuzz.long_text_mutants(), LONG_TEXTS, fuzz.run_long_text_case)


# In order, as benchmarks/fuzz_report.py runs them.
FAMILIES = (raw_zip_cases, member_byte_cases, reference_cases, xml_cases, part_cases, forged_checksum_cases, docx_cases,
            text_cases, cli_cases, formula_text_cases, non_utf8_name_cases, non_utf8_name_cli_cases, non_regular_cases,
            long_text_cases)


def test_workbooks_with_damaged_zip_bytes():
    tried(raw_zip_cases, RAW_ZIP)


def test_workbooks_with_damaged_xml_bytes_in_a_valid_zip():
    tried(member_byte_cases, MEMBER_BYTES)


def test_workbooks_with_character_references_and_raw_bytes_in_their_text():
    tried(reference_cases, REFERENCES)


def test_workbooks_with_changed_cells_sheets_and_defined_names():
    tried(xml_cases, XML)


def test_workbooks_with_parts_removed_renamed_or_replaced():
    tried(part_cases, PARTS)


def test_workbooks_with_styles_forged_to_another_files_checksum():
    tried(forged_checksum_cases, FORGED)


def test_published_word_reports_damaged():
    tried(docx_cases, DOCX)


def test_published_web_and_text_reports_edited():
    tried(text_cases, TEXT)


def test_the_command_line_exits_0_1_or_2_without_a_traceback():
    tried(cli_cases, CLI)


def test_workbooks_with_formula_like_texts_typed_in():
    tried(formula_text_cases, FORMULA_TEXTS)


def test_files_with_non_utf8_names():
    tried(non_utf8_name_cases, NON_UTF8_NAMES)
    tried(non_utf8_name_cli_cases, NON_UTF8_NAMES_CLI)


def test_non_regular_files_named_like_inputs():
    tried(non_regular_cases, NON_REGULAR)


def test_workbooks_with_long_texts():
    tried(long_text_cases, LONG_TEXTS)


def test_the_seeds_are_read_whole():
    """The fuzz starts from sound files: each seed reads as a full report with no refusal."""
    for name in WORKBOOK_SEEDS + REPORT_SEEDS:
        seed = fuzz.seeds()[name]
        before = TALLY.cases, TALLY.outcomes.copy()
        fuzz.run_case(fuzz.Mutant(name, seed.suffix, "seed", "unchanged", seed.data))
        gained = TALLY.outcomes - before[1]
        if name in WORKBOOK_SEEDS:
            assert gained[("check", "report")] == 1 and gained[("consolidate", "report")] == 1, name
        else:
            assert gained[("import", "report")] == 1, name


def test_a_case_that_takes_too_much_memory_is_a_crash(monkeypatch):
    """The memory bound of a case can fail: a case that holds 400 MB against a bound of 200 MB is a
    crash, named with the memory it reached (and is not left in the figures)."""
    if fuzz._peak_memory() is None:
        pytest.fail("this system does not report a process's peak memory (/proc/self/status VmHWM)")
    monkeypatch.setattr(fuzz, "CASE_MEMORY", 200 << 20)
    seed = fuzz.seeds()["2021.xlsx"]
    mutant = fuzz.Mutant("2021.xlsx", seed.suffix, "probe", "holds 400 MB", seed.data + b"memory probe")
    with pytest.raises(fuzz.Crash, match=r"reached 0\.\d GiB"):
        with fuzz.guarded(mutant, "memory", fuzz.TIME_LIMIT):
            block = b"x" * (400 << 20)
            del block
    TALLY.crashes.pop(hashlib.sha256(mutant.data).digest())
