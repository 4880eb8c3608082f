"""The dev gold set through the real pipeline, scored by the gold set's own scorer.

The floors are the product targets; the figures measured when they were set are in NOTES.md.
A change that drops any of them below its floor fails here."""

import statistics

import pytest

from policyqa import evaluate
from tests.conftest import GOLD

pytestmark = pytest.mark.real

FLOORS = {
    "hit@1": 0.90,
    "hit@5": 0.95,
    "any_hit@5": 0.98,
    "mrr": 0.90,
    "section@5": 0.95,
    "answer_keys": 0.90,
    "citation_valid": 1.00,
    "citation_recall": 0.95,
    "citation_precision": 0.85,
    "refusal_acc": 0.83,
}


@pytest.fixture(scope="module")
def dev_metrics(real_engine, tmp_path_factory):
    if not GOLD.exists():
        pytest.skip(f"gold set {GOLD} not present (it lives in ../shared/eval)")
    metrics, predictions, timings = evaluate.score_engine(real_engine, GOLD, tmp_path_factory.mktemp("eval"))
    return metrics, timings


@pytest.mark.parametrize("metric", sorted(FLOORS))
def test_dev_metric_floor(dev_metrics, metric):
    metrics, _ = dev_metrics
    assert metrics[metric] >= FLOORS[metric], f"{metric} = {metrics[metric]:.3f} < {FLOORS[metric]}"


def test_false_refusals_stay_rare(dev_metrics):
    metrics, _ = dev_metrics
    assert metrics["false_refusal"] <= 0.04


def test_every_question_type_is_found(dev_metrics):
    metrics, _ = dev_metrics
    for qtype, bucket in metrics["by_type"].items():
        assert bucket["hit@5"] >= 0.85, f"{qtype}: hit@5 {bucket['hit@5']:.3f}"


def test_answers_are_fast_enough(dev_metrics):
    _, timings = dev_metrics
    # Generous bound for a loaded CI machine; the measured p50 is in NOTES.md.
    assert statistics.median(timings) < 1.0
