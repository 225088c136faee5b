"""Bad Ed-Fi input of any shape (hypothesis): any field of any resource replaced by any JSON value, removed,
or a whole document replaced. The import never crashes; when it reports an error, every error names its file
and nothing in the database changed."""

from __future__ import annotations

import asyncio
import copy
import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.edfi_files import full_set, write_edfi
from tests.integration.test_import_edfi import everything, roster, run

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**63, max_value=2**63),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
              st.sampled_from(["", "2026-02-30", "uri://ed-fi.org/X#", "#", "x" * 300, "\x00", "1e999"])),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.sampled_from(["uses", "schoolId", "telephoneNumber", "city", "x"]),
                                               children, max_size=3)),
    max_leaves=6)


def paths(node, prefix=()):
    """Every place in a document a value can be swapped: (keys and indexes...)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield (*prefix, n)
            yield from paths(value, (*prefix, n))


@st.composite
def broken_sets(draw):
    resources = copy.deepcopy(full_set())
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        name = draw(st.sampled_from(sorted(resources)))
        documents = resources[name]
        index = draw(st.integers(min_value=0, max_value=len(documents) - 1))
        choices = list(paths(documents[index]))
        how = draw(st.sampled_from(["replace", "remove", "document"]))
        if how == "document" or not choices:
            documents[index] = draw(json_values)
            continue
        where = draw(st.sampled_from(choices))
        parent = documents[index]
        for step in where[:-1]:
            parent = parent[step]
        if how == "remove" and isinstance(parent, dict):
            del parent[where[-1]]
        else:
            parent[where[-1]] = draw(json_values)
    return resources


async def test_any_shape_of_bad_json_is_reported_by_file_and_changes_nothing(clean_database, tmp_path):
    await roster(tmp_path)
    loop = asyncio.get_running_loop()
    folder = tmp_path / "edfi"
    outcomes = {"errors": 0, "imported": 0}

    def on_loop(coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.large_base_example, HealthCheck.data_too_large])
    @given(resources=broken_sets())
    def import_anything(resources):
        shutil.rmtree(folder, ignore_errors=True)
        write_edfi(folder, resources)
        before = on_loop(everything())
        report = on_loop(run(folder))
        outcomes["errors" if report.has_errors else "imported"] += 1
        if report.has_errors:
            assert on_loop(everything()) == before, report.lines()
            for group in report.errors:
                assert group.file.endswith(".json") and (group.lines or group.column or group.message), group

    await asyncio.to_thread(import_anything)
    assert outcomes["errors"] >= 10 and outcomes["imported"] >= 1, outcomes  # both kinds were really tried
