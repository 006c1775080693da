"""``RolloutPool``: GRPO rollouts on Ray actors, each owning a bounded number of live envs.

::

    driver (RolloutPool.rollout)                 Ray actor "RolloutWorker" x num_actors
    ─────────────────────────────                ──────────────────────────────────────
    episodes, group-major  ── play(spec) ──▶     asyncio loop ─▶ thread pool of max_live_envs
    ≤ max_live_envs in flight per actor              thread: env reset → policy/step … → verifier
    results placed at groups[g][m]   ◀── Trajectory ──┘      env.close() in every case

Placement: every actor is an ordinary Ray actor with ``actor_options``
(default ``{"num_cpus": 1}``); its sandboxes run on the node the actor was
placed on, so a cluster spreads sandboxes by spreading actors
(``actor_options={"num_cpus": 4, "scheduling_strategy": "SPREAD"}``, or custom
resources such as ``{"resources": {"sandbox_host": 1}}``). ``address=None``
starts a local Ray instance (``ray.init()``); ``address="auto"`` or
``"ray://head:10001"`` joins an existing cluster. The sandboxes' own processes
are not accounted by Ray: give each actor as many CPUs as its live envs use.

Failure isolation: a broken episode (sandbox, verifier, policy, timeout,
cancellation, even a dead actor) becomes a failed :class:`Trajectory` with its
reason; it never fails the batch and its env is closed before its thread is
released. ``on_failure="keep"`` keeps it with reward 0 in its group,
``"drop_group"`` moves its whole group to :attr:`RolloutBatch.dropped`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from clawgym_env.envs.claw_env import ClawEnv
from clawgym_env.envs.task import Task
from clawgym_env.rl.batch import FailurePolicy, ProgressCallback, RolloutBatch, assemble, episode_specs
from clawgym_env.rl.episode import EpisodeOptions, EpisodeSpec, Policy, run_episode_record
from clawgym_env.rl.trajectory import Trajectory

__all__ = ["RolloutPool", "RolloutWorker"]

logger = logging.getLogger(__name__)

TIMEOUT_GRACE_S = 5.0
"""How long past an episode's own limit the worker waits for a stuck turn before giving up on it."""

_POLL_S = 0.5


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as error:
        raise ImportError(
            "RolloutPool needs Ray: pip install 'clawgym-env[rl]' (or run the episodes in-process with "
            "clawgym_env.rl.rollout_in_process)"
        ) from error
    return ray


class RolloutWorker:
    """The body of one rollout actor: plays episodes in ``max_live_envs`` threads.

    Usable without Ray too (its methods are plain coroutines), which is how
    the pool's behaviour is tested below the actor boundary.
    """

    def __init__(self, max_live_envs: int, options: EpisodeOptions) -> None:
        if max_live_envs < 1:
            raise ValueError(f"max_live_envs must be >= 1, got {max_live_envs}")
        self._options = options
        self._executor = ThreadPoolExecutor(max_live_envs, thread_name_prefix="clawgym-episode")
        self._lock = threading.Lock()
        self._live: set[int] = set()
        self._peak_live = 0
        self._running: set[Future[Trajectory]] = set()
        self._policies: dict[str, Any] = {}

    async def play(self, spec: EpisodeSpec, policy_ref: list[Any]) -> Trajectory:
        """Play one episode; ``policy_ref`` is ``[policy]`` or ``[ray.ObjectRef]`` (fetched once, cached)."""
        policy = await self._policy(policy_ref[0])
        cancel = threading.Event()
        future = self._executor.submit(self._play_sync, spec, policy, cancel)
        with self._lock:
            self._running.add(future)
        future.add_done_callback(self._forget)
        timeout = self._options.timeout_s
        try:
            wrapped = asyncio.wrap_future(future)
            if timeout is None:
                return await asyncio.shield(wrapped)
            return await asyncio.wait_for(asyncio.shield(wrapped), timeout + TIMEOUT_GRACE_S)
        except asyncio.TimeoutError:
            cancel.set()
            return _failed(spec, "timeout", f"the episode ran past its wall-clock limit of {timeout:g} s")
        except asyncio.CancelledError:
            cancel.set()
            raise

    def stats(self) -> dict[str, int]:
        """``live`` envs now, ``peak`` live envs so far, ``running`` episode threads."""
        with self._lock:
            return {"live": len(self._live), "peak": self._peak_live, "running": len(self._running)}

    async def drain(self, timeout_s: float = 60.0) -> int:
        """Wait until no episode thread runs (cancelled ones finish their current step); return how many still do."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                running = len(self._running)
            if running == 0:
                return 0
            await asyncio.sleep(0.05)
        with self._lock:
            return len(self._running)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    # -- internals -------------------------------------------------------------

    async def _policy(self, ref: Any) -> Any:
        key = getattr(ref, "hex", None)
        if key is None:
            return ref
        cache_key = key()
        if cache_key not in self._policies:
            self._policies.clear()  # one rollout's policy at a time
            self._policies[cache_key] = await ref
        return self._policies[cache_key]

    def _play_sync(self, spec: EpisodeSpec, policy: Policy, cancel: threading.Event) -> Trajectory:
        return run_episode_record(spec, policy, self._options, cancel=cancel, on_env=self._track)

    def _track(self, env: ClawEnv | None) -> None:
        ident = threading.get_ident()
        with self._lock:
            if env is None:
                self._live.discard(ident)
            else:
                self._live.add(ident)
                self._peak_live = max(self._peak_live, len(self._live))

    def _forget(self, future: Future[Trajectory]) -> None:
        with self._lock:
            self._running.discard(future)


def _failed(spec: EpisodeSpec, kind: str, reason: str) -> Trajectory:
    env_id = spec.env.id if isinstance(spec.env, Task) else spec.env
    return Trajectory(
        env_id=env_id,
        task_id=env_id,
        group=spec.group,
        member=spec.member,
        seed=spec.seed,
        failure=reason,
        failure_kind=kind,
    )


class RolloutPool:
    """Ray actors that play grouped episodes in parallel; see the module docstring.

    ``with RolloutPool(num_actors=2) as pool: batch = pool.rollout(ids, policy, n=8)``.
    :meth:`close` kills the actors after their episodes have closed their envs,
    and shuts Ray down if the pool started it.
    """

    def __init__(
        self,
        num_actors: int = 1,
        *,
        max_live_envs: int = 4,
        env_kwargs: Mapping[str, Any] | None = None,
        episode_timeout_s: float | None = 600.0,
        max_response_tokens: int | None = None,
        on_failure: FailurePolicy = "keep",
        address: str | None = None,
        actor_options: Mapping[str, Any] | None = None,
        ray_init_kwargs: Mapping[str, Any] | None = None,
        startup_timeout_s: float = 120.0,
    ) -> None:
        if num_actors < 1:
            raise ValueError(f"num_actors must be >= 1, got {num_actors}")
        if on_failure not in ("keep", "drop_group"):
            raise ValueError(f"on_failure must be 'keep' or 'drop_group', got {on_failure!r}")
        ray = _import_ray()
        self._ray = ray
        self.max_live_envs = max_live_envs
        self.on_failure: FailurePolicy = on_failure
        self.options = EpisodeOptions(
            env_kwargs=dict(env_kwargs or {}),
            timeout_s=episode_timeout_s,
            max_response_tokens=max_response_tokens,
        )
        self._owns_ray = not ray.is_initialized()
        if self._owns_ray:
            init_kwargs = {"include_dashboard": False, "log_to_driver": False, **dict(ray_init_kwargs or {})}
            ray.init(address=address, **init_kwargs)
        options = {"num_cpus": 1, **dict(actor_options or {})}
        actor_class = ray.remote(RolloutWorker)
        self._actors = [actor_class.options(**options).remote(max_live_envs, self.options) for _ in range(num_actors)]
        self._alive = [True] * num_actors
        self._cancel = threading.Event()
        self._closed = False
        try:
            ray.get([actor.stats.remote() for actor in self._actors], timeout=startup_timeout_s)
        except ray.exceptions.GetTimeoutError:
            available = ray.available_resources()
            self.close()
            raise RuntimeError(
                f"Ray could not place {num_actors} rollout actors with {options} within {startup_timeout_s:g} s "
                f"(resources free now: {available}); lower num_actors or actor_options['num_cpus'], "
                "or close other pools first"
            ) from None

    @property
    def num_actors(self) -> int:
        return len(self._actors)

    def rollout(
        self,
        envs: Sequence[str | Task],
        policy: Policy,
        n: int = 1,
        *,
        seed: int | None = 0,
        progress: ProgressCallback | None = None,
    ) -> RolloutBatch:
        """Play ``n`` episodes of ``policy`` on each env; return them grouped per env.

        Blocks until every episode has a trajectory. :meth:`cancel` (from another
        thread) ends it early: episodes not started and those cancelled mid-way
        come back as ``cancelled`` failures.
        """
        if self._closed:
            raise RuntimeError("this RolloutPool is closed; create a new one")
        ray = self._ray
        self._cancel.clear()
        specs = episode_specs(envs, n, seed)
        started = time.monotonic()
        policy_ref = [ray.put(policy)]
        results: list[Trajectory | None] = [None] * len(specs)
        waiting = deque(range(len(specs)))
        in_flight: dict[Any, tuple[int, int]] = {}  # ref -> (spec index, actor index)
        load = [0] * len(self._actors)
        done = 0
        cancelled = False
        while waiting or in_flight:
            if self._cancel.is_set() and not cancelled:
                cancelled = True
                self._cancel_all(in_flight, waiting, specs, results)
            while waiting and not self._cancel.is_set():
                actor = self._free_actor(load)
                if actor is None:
                    break
                index = waiting.popleft()
                ref = self._actors[actor].play.remote(specs[index], policy_ref)
                in_flight[ref] = (index, actor)
                load[actor] += 1
            if not in_flight:
                if waiting and not any(self._alive):
                    for index in waiting:
                        results[index] = _failed(specs[index], "worker", "every rollout worker has died")
                    done += len(waiting)
                    waiting.clear()
                continue
            ready, _ = ray.wait(list(in_flight), num_returns=1, timeout=_POLL_S)
            for ref in ready:
                index, actor = in_flight.pop(ref)
                load[actor] -= 1
                results[index] = self._collect(ref, specs[index], actor)
                done += 1
                if progress is not None:
                    progress(done, len(specs))
        complete = [
            r if r is not None else _failed(s, "cancelled", "cancelled") for r, s in zip(results, specs, strict=True)
        ]
        return assemble(specs, complete, on_failure=self.on_failure, wall_time_s=time.monotonic() - started)

    def cancel(self) -> None:
        """End the running :meth:`rollout` early (thread-safe)."""
        self._cancel.set()

    def worker_stats(self) -> list[dict[str, int]]:
        """Per live actor: ``live`` envs now, ``peak`` live envs, ``running`` episode threads."""
        refs = [actor.stats.remote() for actor, alive in zip(self._actors, self._alive, strict=True) if alive]
        return list(self._ray.get(refs))

    def close(self) -> None:
        """Wait for the actors' episodes to close their envs, then kill the actors; idempotent."""
        if self._closed:
            return
        self._closed = True
        ray = self._ray
        live = [actor for actor, alive in zip(self._actors, self._alive, strict=True) if alive]
        try:
            ray.get([actor.drain.remote() for actor in live], timeout=120)
            ray.get([actor.shutdown.remote() for actor in live], timeout=60)
        except Exception:
            logger.warning("a rollout worker did not drain cleanly", exc_info=True)
        for actor in self._actors:
            ray.kill(actor)
        self._actors = []
        if self._owns_ray and ray.is_initialized():
            ray.shutdown()

    def __enter__(self) -> RolloutPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- internals -------------------------------------------------------------

    def _free_actor(self, load: list[int]) -> int | None:
        candidates = [i for i, alive in enumerate(self._alive) if alive and load[i] < self.max_live_envs]
        return min(candidates, key=lambda i: load[i]) if candidates else None

    def _collect(self, ref: Any, spec: EpisodeSpec, actor: int) -> Trajectory:
        ray = self._ray
        try:
            return ray.get(ref)
        except ray.exceptions.TaskCancelledError:
            return _failed(spec, "cancelled", "the rollout was cancelled")
        except ray.exceptions.RayActorError as error:
            self._alive[actor] = False
            return _failed(spec, "worker", f"the rollout worker died: {error}")
        except Exception as error:  # noqa: BLE001 - a broken episode is data, never a failed batch
            return _failed(spec, "worker", f"{type(error).__name__}: {error}")

    def _cancel_all(
        self,
        in_flight: dict[Any, tuple[int, int]],
        waiting: deque[int],
        specs: list[EpisodeSpec],
        results: list[Trajectory | None],
    ) -> None:
        for ref in in_flight:
            self._ray.cancel(ref)
        for index in waiting:
            results[index] = _failed(specs[index], "cancelled", "the rollout was cancelled before it started")
        waiting.clear()
