"""Bad OneRoster input of any shape (hypothesis, as test_import_edfi_shapes.py does for Ed-Fi): any cell of any
file replaced by any text (impossible dates, spreadsheet dates, numbers, flags, control characters, very long
values), a row cut short or made longer. The import never crashes; when it reports an error, every error names
its file and line (or the run), and nothing in the database changed; when it does not, a second run changes
nothing."""

from __future__ import annotations

import asyncio
import copy
import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.roster_files import dump_tables, full_set_11, write_set
from tests.integration.test_import_oneroster import run_import

cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "2026-02-30", "2/30/2026 0:00", "2026-13-01T00:00:00Z", "8/25/2016", "2026-08-10 00:00:00",
                     "tobedeleted", "active", "TRUE", "maybe", "1e999", "-0", "x" * 300, "=cmd()", "\x00", "a,b",
                     "stu-ana", "sch-oak", "cls-math-1", "student", "parent", "gp-3", "bulk", "delta"]))


@st.composite
def broken_sets(draw):
    files = copy.deepcopy(full_set_11())
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        name = draw(st.sampled_from(sorted(files)))
        rows = files[name]
        if len(rows) < 2:
            continue
        line = draw(st.integers(min_value=1, max_value=len(rows) - 1))
        how = draw(st.sampled_from(["cell", "cell", "cell", "short", "long"]))
        if how == "short":
            rows[line] = rows[line][:draw(st.integers(min_value=0, max_value=len(rows[line]) - 1))]
        elif how == "long":
            rows[line] = rows[line] + [draw(cells)]
        else:
            rows[line][draw(st.integers(min_value=0, max_value=len(rows[line]) - 1))] = draw(cells)
    return files


async def test_any_bad_cell_is_reported_by_file_and_line_and_changes_nothing(clean_database, tmp_path):
    assert not (await run_import(write_set(tmp_path / "first", full_set_11()))).has_errors
    loop = asyncio.get_running_loop()
    folder = tmp_path / "set"
    outcomes = {"errors": 0, "imported": 0}

    def on_loop(coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(files=broken_sets())
    def import_anything(files):
        shutil.rmtree(folder, ignore_errors=True)
        write_set(folder, files)
        before = on_loop(dump_tables())
        report = on_loop(run_import(folder))
        if report.has_errors:
            outcomes["errors"] += 1
            assert on_loop(dump_tables()) == before, report.lines()
            for group in report.errors:
                assert (group.file.endswith(".csv") and (group.lines or group.column)) or not group.file, \
                    group.describe()
        else:
            outcomes["imported"] += 1
            after = on_loop(dump_tables())
            again = on_loop(run_import(folder))
            assert not again.has_errors and on_loop(dump_tables()) == after, again.counts
        on_loop(run_import(write_set(tmp_path / "first", full_set_11())))  # back to Maple for the next example

    await asyncio.to_thread(import_anything)
    assert outcomes["errors"] >= 5 and outcomes["imported"] >= 5, outcomes  # both kinds were really tried
