"""The built-in suites: registration, balance, disjointness, determinism, proofs and export.

The proofs run every benchmark task and a sample of training tasks (two per
family, one of them hard) through real bwrap sandboxes; ``clawgym check``
runs the full sweep (see docs/tasks.md for its last timing).
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import pytest

from clawgym_env.envs.checking import check_many
from clawgym_env.envs.loaders import load_task, write_task_dir
from clawgym_env.envs.suite import FAMILIES, Scenario, generate, suite_refs
from clawgym_env.envs.suite.catalog import read_catalog
from clawgym_env.envs.suite.personas import personas_for
from clawgym_env.envs.suite.rng import StableRandom, stable_seed
from clawgym_env.sandbox.bwrap import bwrap_unavailable_reason

TRAIN = suite_refs("train")
BENCH = suite_refs("bench")


def test_the_suites_are_registered_with_their_counts() -> None:
    assert len(TRAIN) >= 5000
    assert len(BENCH) == 200
    assert gym.spec("ClawGym/task-0042").kwargs == {"task_source": "builtin:train", "task_id": "task-0042"}
    assert gym.spec(f"ClawGym/task-{len(TRAIN) - 1:04d}") is not None
    assert gym.spec("ClawGym-Bench/task-0199").kwargs["task_source"] == "builtin:bench"
    with pytest.raises(gym.error.Error):
        gym.spec("ClawGym-Bench/task-0200")


def test_there_are_enough_families_covering_every_scenario_and_operation() -> None:
    assert len(FAMILIES) >= 60
    assert len({family.name for family in FAMILIES}) == len(FAMILIES)
    scenarios = collections.Counter(family.scenario for family in FAMILIES)
    assert set(scenarios) == set(Scenario) and min(scenarios.values()) >= 3
    operations = collections.Counter(op for family in FAMILIES for op in family.operations)
    assert min(operations.values()) >= 3


def test_the_benchmark_is_balanced_hard_and_a_fifth_hybrid() -> None:
    per_scenario = collections.Counter(ref.family.scenario for ref in BENCH)
    assert set(per_scenario.values()) == {20}
    assert all(ref.hard for ref in BENCH)
    hybrid = [ref for ref in BENCH if ref.hybrid]
    assert len(hybrid) == 40
    assert all(ref.family.rubric_capable for ref in hybrid)
    for ref in hybrid[:5]:
        task = generate("bench", ref.task_id).task
        assert task.metadata["grading_type"] == "hybrid" and task.rubric


def test_the_benchmark_is_harder_on_average() -> None:
    def mean_difficulty(refs: tuple, step: int) -> float:
        picked = refs[::step]
        return sum(generate(r.suite, r.task_id).task.metadata["difficulty"] for r in picked) / len(picked)

    assert mean_difficulty(BENCH, 4) > mean_difficulty(TRAIN, 100)


def test_suites_are_disjoint_in_people_and_workspaces() -> None:
    train_people = {name for p in personas_for("train") for name in (p.name, *p.team)}
    bench_people = {name for p in personas_for("bench") for name in (p.name, *p.team)}
    assert not train_people & bench_people
    train_hashes = {generate("train", r.task_id).task.content_hash for r in TRAIN[: len(FAMILIES)]}
    bench_hashes = {generate("bench", r.task_id).task.content_hash for r in BENCH}
    assert not train_hashes & bench_hashes


def test_stable_random_gives_the_same_numbers_everywhere() -> None:
    # Golden values: if these change, every generated task changes (and the catalog test fails too).
    rng = StableRandom(stable_seed("golden", 1))
    assert stable_seed("golden", 1) == 17959092746193046011
    assert [rng.randint(1, 100) for _ in range(5)] == [34, 15, 52, 85, 52]
    assert rng.sample("abcdefgh", 3) == ["h", "g", "a"]
    assert rng.money(1, 100) == 19.09


def test_every_task_matches_the_committed_catalog() -> None:
    # In a fresh interpreter with its own hash seed: generation must not depend on hash order either.
    assert read_catalog(), "catalog.tsv is missing: run python -m clawgym_env.envs.suite.catalog --write"
    jobs = str(min(4, os.cpu_count() or 1))
    result = subprocess.run(
        [sys.executable, "-m", "clawgym_env.envs.suite.catalog", "--verify", "--jobs", jobs],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, (
        f"{result.stdout}{result.stderr}\nIf the change is intended, regenerate the catalog: "
        "python -m clawgym_env.envs.suite.catalog --write --docs docs/tasks.md"
    )


def _proof_sample() -> list[str]:
    ids = [ref.env_id for ref in BENCH]
    seen: collections.Counter[str] = collections.Counter()
    for ref in TRAIN:
        wanted = ref.hard if seen[ref.family.name] == 1 else True
        if seen[ref.family.name] < 2 and wanted:
            ids.append(ref.env_id)
            seen[ref.family.name] += 1
    return ids


@pytest.mark.bwrap
def test_every_sampled_task_is_proven() -> None:
    reason = bwrap_unavailable_reason()
    if reason is not None:
        pytest.skip(f"bwrap backend unavailable: {reason}")
    proofs = check_many(_proof_sample(), jobs=min(4, os.cpu_count() or 1))
    failed = {p.task_id: p.problems for p in proofs if not p.ok}
    assert failed == {}
    assert all(p.oracle == 1.0 and p.noop == 0.0 and 0.0 < (p.near_miss or 0.0) < 1.0 for p in proofs)


@pytest.mark.parametrize("backend", ["docker", "local"])
def test_every_scenario_is_proven_on_the_other_backends(backend: str, request: pytest.FixtureRequest) -> None:
    if backend == "docker":
        request.getfixturevalue("docker_image")  # starts the engine and builds the image, or skips saying why
    ids = [ref.env_id for ref in BENCH[:10]]  # the benchmark interleaves scenarios: one of each
    proofs = check_many(ids, backend=backend, jobs=min(2, os.cpu_count() or 1))
    assert {p.task_id: p.problems for p in proofs if not p.ok} == {}


def test_export_round_trips_to_identical_tasks(tmp_path: Path) -> None:
    for ref in [*BENCH[:: len(BENCH) // 10], *TRAIN[: len(FAMILIES)]]:
        task = generate(ref.suite, ref.task_id).task
        target = write_task_dir(task, tmp_path / ref.suite / task.id)
        assert sorted(p.name for p in (target / "reward").iterdir()) == ["check.py", "reward.sh"]
        again = load_task(target)
        assert again.content_hash == task.content_hash, ref.env_id


def test_each_task_states_its_metadata() -> None:
    task = generate("train", "task-0042").task
    meta = task.metadata
    assert meta["family"] == TRAIN[42].family.name
    assert meta["category"] == TRAIN[42].family.scenario.value
    assert 1 <= meta["difficulty"] <= 5
    assert meta["checks"] >= 4
    assert task.reference_solution
