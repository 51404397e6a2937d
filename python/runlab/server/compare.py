"""The compare routes: runs compared field by field (``RunComparison.to_dict()`` plus its Vega-Lite charts), and
one artifact key of every compared run side by side as the previews the run view draws."""

from __future__ import annotations

from typing import Any

from ..artifactaccess import check_artifact
from ..charts import VEGA_LITE_MIME
from ..errors import ArtifactAccessError, ArtifactChangedError, ArtifactNotFoundError, RunNotFoundError, ValidationError
from ..preview import preview_artifact
from ..run import compare_runs, get_run
from ..runtimes.processes import reap
from ..store.runstore import RunStore

MAX_RUNS = 200
"""The most runs one comparison takes (the view draws them all as columns)."""
MAX_ITERATION = 2**31 - 1


def parse_runs(values: list[str]) -> list[tuple[str, int]]:
    """``uid`` or ``uid:iteration`` query values as ``(uid, iteration)`` pairs (iteration 0 when left out)."""
    pairs = []
    for value in values:
        uid, sep, iteration = value.partition(":")
        if not uid:
            raise ValidationError(f"uid {value[:80]!r} must be a run's uid, or uid:iteration (abc123:2)")
        number = 0
        if sep:
            try:
                number = int(iteration)
            except ValueError:
                raise ValidationError(f"uid {value[:80]!r}: the iteration after ':' must be an integer, "
                                      f"not {iteration[:40]!r}") from None
            if not 0 <= number <= MAX_ITERATION:
                raise ValidationError(f"uid {value[:80]!r}: the iteration must be from 0 to {MAX_ITERATION}")
        pairs.append((uid, number))
    return pairs


def _comparison(store: RunStore, runs: list[tuple[str, int]], children: bool):
    if children:
        if len(runs) != 1:
            raise ValidationError(f"children=true compares one sweep's iterations: give one uid (its parent), not "
                                  f"{len(runs)}")
        parent = get_run(runs[0][0], runs[0][1], store=store)
        row = store.get_run(parent.uid(), runs[0][1])
        if runs[0][1] or row is None or not (row.spec.get("hyperparams") or row.status.get("iterations")):
            raise ValidationError(f"run {runs[0][0]} is not a hyper-parameter sweep's parent, so it has no iterations "
                                  "to compare: leave out children=true and give 2 or more uids")
        return compare_runs([parent], store=store, extend_iterations=True)
    if not 2 <= len(runs) <= MAX_RUNS:
        raise ValidationError(f"a comparison takes 2 to {MAX_RUNS} runs, got {len(runs)}: give each as uid=<uid> "
                              "(or uid=<uid>:<iteration>), or one sweep's uid with children=true")
    return compare_runs(list(runs), store=store, extend_iterations=False)


def compare(store: RunStore, runs: list[tuple[str, int]], children: bool = False) -> dict[str, Any]:
    """The runs compared: ``runs`` and ``rows`` (``RunComparison.to_dict()``), ``charts`` (Vega-Lite specs,
    parallel coordinates then the scatter, each only when there is something to draw) and their ``mime_type``."""
    reap(store)
    comparison = _comparison(store, runs, children)
    return {**comparison.to_dict(), "mime_type": VEGA_LITE_MIME, "charts": comparison.charts()}


def compare_artifact(store: RunStore, key: str, runs: list[tuple[str, int]], max_bytes: int) -> dict[str, Any]:
    """The artifact ``key`` of each run: its record (``artifact``) and ``preview`` (the preview route's shape),
    both null where the run did not log it."""
    if not key:
        raise ValidationError("key must name an artifact (key=<artifact key>)")
    if not 1 <= len(runs) <= MAX_RUNS:
        raise ValidationError(f"give 1 to {MAX_RUNS} runs as uid=<uid> (or uid=<uid>:<iteration>), not {len(runs)}")
    found, keys = [], set()
    for uid, iteration in runs:
        record = store.get_run(get_run(uid, iteration, store=store).uid(), iteration)
        if record is None:
            raise RunNotFoundError(f"run {uid} (iteration {iteration}) is not in the store")
        data = record.to_dict()
        artifacts = {a["key"]: a for a in data["status"]["artifacts"]}
        keys.update(artifacts)
        artifact, preview = artifacts.get(key), None
        if artifact is not None:
            try:
                check_artifact(artifact, record.spec.get("output_path") or "")
                preview = preview_artifact(artifact, max_bytes)
            except ArtifactNotFoundError:  # a file that is gone previews as an error, as in the preview route
                preview = preview_artifact(artifact, max_bytes)
            except (ArtifactAccessError, ArtifactChangedError) as exc:  # one refused file, not the whole answer
                preview = {"kind": "error", "title": key, "path": artifact["target_path"], "text": str(exc)}
        found.append({"uid": record.uid, "iteration": iteration, "name": record.name, "artifact": artifact,
                      "preview": preview})
    if all(item["artifact"] is None for item in found):
        logged = ", ".join(sorted(keys)) or "none"
        raise ArtifactNotFoundError(f"no run compared logged an artifact {key!r} (the keys logged: {logged})")
    return {"key": key, "runs": found}
