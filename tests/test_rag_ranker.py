"""The learned re-ranker (rag/ranker.py): the committed fit is the one its features describe, it beat retrieval
order in cross-validation, and on a writer's record set it lifts the answering passage into the first three."""
from __future__ import annotations

import json

import numpy as np

from rag.answerability import candidates
from rag.ranker import FEATURES, RANKER, hit_features, load_ranker
from tests.conftest import record_set


def test_committed_fit_matches_the_features_and_beat_retrieval_order():
    data = json.loads(RANKER.read_text(encoding="utf-8"))
    assert tuple(data["features"]) == FEATURES
    ranker = load_ranker()
    assert ranker.weights.shape == (len(FEATURES),) and np.isfinite(ranker.weights).all()
    figures = data["cross_validation"]
    assert figures["recall_at_3_ranker"] > figures["recall_at_3_retrieval_order"]


def test_the_answering_row_is_lifted_into_the_first_three(tmp_path):
    service, session = record_set(tmp_path, "writer_records/w4", "K")
    question = "roughly how heavy is the baby on the scan"
    hits = service.candidate_hits(session, question)
    weight = [i for i, hit in enumerate(hits) if "EFW" in hit.chunk.text]
    assert weight and weight[0] >= 3  # retrieval order leaves it out of the first three

    found, *_ = candidates(question, hits, service.records(session).index)
    assert hit_features(hits, found).shape == (len(hits), len(FEATURES))
    assert any("EFW" in source.text for source in service.answer(session, question).sources[:3])
