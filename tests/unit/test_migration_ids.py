"""Two engineers' migrations made in the same minute once carried the same ID: Piccolo then ran one, skipped
the other as already applied, and every later table was missing. Each migration's ID must be its own, and
match its file name (so the order files sort in is the order they run in)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

FOLDER = Path(__file__).parent.parent.parent / "piccolo_migrations"


def _ids() -> dict[str, str]:
    found = {}
    for path in sorted(FOLDER.glob("homeroom_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found[path.name] = module.ID
    return found


def test_every_migration_has_its_own_id():
    ids = list(_ids().values())
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_each_id_is_the_time_in_its_file_name():
    for name, migration_id in _ids().items():
        stamp = name.removeprefix("homeroom_")[:26]  # 2026_11_30t11_05_00_000000
        assert migration_id.replace("-", "_").replace(":", "_").replace("T", "t") == stamp, name
