"""Evaluate grounded answers on the knowledge dev set (tests/data/knowledge/dev_questions.json).

    PYTHONPATH=. python scripts/eval_knowledge.py [--split report|tune|all] [--sweep] [--grounding] [--show]

Prints, per split: answers with a cited source, sentences not supported by their cited passage, expected key
fact named, repetition loops, honest "not sure" on unanswerable questions, false abstentions.
--sweep: abstention threshold sweep on the chosen split (use --split tune to choose it).
--grounding: the grounding guard's threshold sweep on tests/data/knowledge/grounding_cases.json.
"""
from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path

from knowledge.service import ABSTAIN_BELOW, KnowledgeAnswer, KnowledgeService
from knowledge.terms import fold
from safety import grounding
from safety.repetition import repetition_cut

ROOT = Path(__file__).resolve().parents[1]
DEV_SET = ROOT / "tests" / "data" / "knowledge" / "dev_questions.json"
GROUNDING_CASES = ROOT / "tests" / "data" / "knowledge" / "grounding_cases.json"
_CITED = re.compile(r"^(.*?)\s*\[(\d+)\]$")


@dataclass
class Outcome:
    item: dict
    answer: KnowledgeAnswer

    @property
    def body(self) -> list[str]:
        """The quoted sentences (the lead line and notes are fixed text)."""
        text = self.answer.text.split("\n\n", 1)[-1] if not self.answer.abstained else ""
        return [s for s in re.split(r"(?<=\])\s+", text) if s.strip()]

    def unsupported(self) -> list[str]:
        """Quoted sentences that are uncited or not grounded in the passage they cite."""
        bad = []
        for sentence in self.body:
            match = _CITED.match(sentence)
            number = int(match.group(2)) if match else 0
            if not match or not 1 <= number <= len(self.answer.sources):
                bad.append(sentence)
                continue
            passage = self.answer.sources[number - 1].passage
            _, dropped = grounding.grounded_sentences(match.group(1), [passage])
            bad += dropped
        return bad

    def names_fact(self) -> bool:
        text = fold(self.answer.text)
        return any(fold(fact) in text for fact in self.item["key_facts"])

    def cited(self) -> bool:
        return not self.answer.abstained and bool(self.answer.sources) and bool(self.body) and not self.unsupported()


def run(service: KnowledgeService, items: list[dict]) -> list[Outcome]:
    return [Outcome(item, service.answer(item["question"], item["history"])) for item in items]


def report(outcomes: list[Outcome], label: str) -> None:
    answerable = [o for o in outcomes if o.item["answerable"]]
    unanswerable = [o for o in outcomes if not o.item["answerable"]]
    sentences = sum(len(o.body) for o in outcomes)
    unsupported = sum(len(o.unsupported()) for o in outcomes)
    loops = sum(repetition_cut(o.answer.text) is not None for o in outcomes)

    def share(count: int, total: int) -> str:
        return f"{count / total:.3f} ({count}/{total})" if total else "n/a"

    print(f"== {label}: {len(outcomes)} questions ({len(answerable)} answerable, {len(unanswerable)} not)")
    print(f"  answers with a cited source      {share(sum(o.cited() for o in answerable), len(answerable))}")
    print(f"  sentences not supported by cited {unsupported} of {sentences}")
    print(f"  expected key fact named          {share(sum(o.names_fact() for o in answerable), len(answerable))}")
    print(f"  repetition loops                 {loops}")
    print(f"  honest 'not sure' (unanswerable) {share(sum(o.answer.abstained for o in unanswerable), len(unanswerable))}")
    print(f"  false abstentions (answerable)   {share(sum(o.answer.abstained for o in answerable), len(answerable))}")


def _abstains(outcome: Outcome, threshold: float) -> bool:
    return outcome.answer.abstained or outcome.answer.evidence < threshold


def sweep(outcomes: list[Outcome]) -> None:
    """Abstention threshold vs. honest abstention and key facts (answers do not change with it otherwise)."""
    print("threshold  honest_abstain  key_fact  false_abstain")
    answerable = [o for o in outcomes if o.item["answerable"]]
    unanswerable = [o for o in outcomes if not o.item["answerable"]]
    for step in range(30, 61, 2):
        t = step / 100
        honest = sum(_abstains(o, t) for o in unanswerable) / len(unanswerable)
        facts = sum(not _abstains(o, t) and o.names_fact() for o in answerable) / len(answerable)
        false = sum(_abstains(o, t) for o in answerable) / len(answerable)
        print(f"  {t:.2f}      {honest:.3f}           {facts:.3f}     {false:.3f}")


def grounding_sweep() -> None:
    """Kept share of supported paraphrases and dropped share of false claims, per MIN_SUPPORT and COMMON_SHARE."""
    cases = json.loads(GROUNDING_CASES.read_text(encoding="utf-8"))["cases"]
    vocabulary = grounding.load_vocabulary()
    print("min_support  common_share  supported_kept  false_dropped")
    for common in (0.0, 0.01, 0.02, 0.05, 0.1):
        original = grounding.COMMON_SHARE
        grounding.COMMON_SHARE = common
        for support in (0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1.0):
            kept = dropped = positives = negatives = 0
            for case in cases:
                for sentence in case["supported"]:
                    positives += 1
                    kept += bool(grounding.grounded_sentences(sentence, [case["passage"]], case["question"],
                                                              vocabulary, support)[0])
                for sentence in case["unsupported"]:
                    negatives += 1
                    dropped += not grounding.grounded_sentences(sentence, [case["passage"]], case["question"],
                                                                vocabulary, support)[0]
            print(f"  {support:.2f}        {common:.2f}          {kept / positives:.3f} ({kept}/{positives})"
                  f"   {dropped / negatives:.3f} ({dropped}/{negatives})")
        grounding.COMMON_SHARE = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["tune", "report", "all"], default="report")
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--grounding", action="store_true")
    parser.add_argument("--show", action="store_true", help="print every question and answer")
    args = parser.parse_args()
    if args.grounding:
        grounding_sweep()
        return
    items = json.loads(DEV_SET.read_text(encoding="utf-8"))["questions"]
    splits = ["tune", "report"] if args.split == "all" else [args.split]
    service = KnowledgeService(abstain_below=0.0 if args.sweep else ABSTAIN_BELOW)
    for split in splits:
        outcomes = run(service, [i for i in items if i["split"] == split])
        if args.show:
            for o in outcomes:
                mark = "ok " if (o.names_fact() if o.item["answerable"] else o.answer.abstained) else "BAD"
                print(f"--- {mark} #{o.item['id']} {o.item['question']} (evidence {o.answer.evidence:.3f})")
                print("   ", o.answer.text.replace("\n", " ")[:400])
        if args.sweep:
            sweep(outcomes)
        else:
            report(outcomes, split)


if __name__ == "__main__":
    main()
