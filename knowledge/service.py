"""Grounded health answers: the few most relevant sentences of trusted sources, each cited, or an honest abstention.

    service = KnowledgeService()                      # data/knowledge/, the embedded MiniLM
    reply = service.answer("what is a sugar test?", history=[{"role": "user", "content": "..."}, ...])
    reply.text, reply.sources, reply.abstained, reply.lang

Every sentence of `reply.text` is either fixed text written here (lead, abstention) or quoted verbatim
from a cited passage. Retrieval reads the conversation: a follow-up ("and in children?") keeps the topic
of the question it follows.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from knowledge.corpus import Passage, sentences
from knowledge.index import Hit, KnowledgeBase, question_types
from knowledge.terms import FRENCH_COMMON, fold, is_french, lay_expansion, translate_french
from knowledge.text import RRF_K, content_tokens
from safety.grounding import grounded_sentences
from safety.repetition import strip_repetition

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "knowledge"
ABSTAIN_EN = "I don't have reliable information about that; please ask a clinician or pharmacist."
ABSTAIN_FR = ("Je n'ai pas d'information fiable à ce sujet ; demandez à un médecin ou à un pharmacien.")
DATE_NOTE_EN = ("These sources are NIH/CDC pages from about 2017; the links lead to the current pages. "
                "This is general information, not medical advice.")
DATE_NOTE_FR = ("Ces sources sont des pages NIH/CDC (en anglais) d'environ 2017 ; les liens mènent aux pages "
                "actuelles. Information générale, pas un avis médical.")

# Abstain when the best passage's evidence (0.5 x cosine + 0.5 x IDF-weighted keyword coverage, see
# knowledge.index.Hit) is below ABSTAIN_BELOW. `scripts/eval_knowledge.py --split tune --sweep` (50 questions):
# every threshold from 0.30 to 0.54 gives honest abstention 1.000, key facts 0.884 and no false abstention
# (0.56: 0.023 false abstention). Off-topic questions tried while building it ('capital of Australia',
# 'weather tomorrow', 'fleas on my dog', 'dose of ibuprofen') scored 0.14 to 0.42, so 0.45 sits in the
# plateau above them. Unknown drug/disease names abstain before this test (see _looks_like_name).
ABSTAIN_BELOW = 0.45
ANSWER_SENTENCES = 3       # at most this many quoted sentences
ANSWER_WORDS = 90          # and about this many words in all
SECOND_TOPIC_RATIO = 0.9   # a second topic is quoted when its best passage scores this close to the first
SENTENCE_MARGIN = 0.25     # sentences scoring this far below the best one are left out
HIT_DEPTH = 8
DENSE_SURE = 0.6           # a passage this close in meaning answers even without the question's rarest word
# Sentences embedded to choose the answer: 24 took up to 1.9 s CPU an answer on the shared machine; 16 keep the
# tune split's key facts (0.860 -> 0.884) at 0.2 to 0.4 s CPU.
MAX_CANDIDATES = 16
LIST_BONUS = 0.15
NUMBER_BONUS = 0.15
_QUANTITY_QUESTION = re.compile(r"\b(how (many|much|long|often|old)|when|what age|combien|quand)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|forty|fifty|"
                     r"hundred|half|quarter|once|twice)\b", re.IGNORECASE)
LIST_QTYPES = {"symptoms", "causes", "treatment", "prevention", "susceptibility"}
_LIST = re.compile(r":.*;")
_BACK_REFERENCE = re.compile(r"\b(these|those|such|this|the same)\s+(symptoms|signs|problems|conditions|treatments|"
                             r"things|changes|tests|medicines|steps|factors|cases)\b", re.IGNORECASE)
_ANAPHORA = re.compile(r"^(This|That|These|Those|They|It|Its|He|She|Such|However|But|And|Also|Both|Then)\b")
# An unknown word (not anywhere in the knowledge base, no close spelling) that looks like the name of a
# drug or disease: the question is about something the sources do not describe, so the answer abstains.
_NAME_SUFFIXES = ("mab", "nib", "vir", "zole", "pril", "olol", "sartan", "statin", "mycin", "cillin", "azepam",
                  "pine", "done", "zine", "xine", "fen", "prazole", "tide", "lukast", "itis", "osis", "emia",
                  "oma", "pathy", "plasia", "algia", "ase", "ol", "ex", "in", "ium", "ide", "ate", "an", "il")
_NAME_CUES = {"drug", "medicine", "medication", "pill", "tablet", "called", "named", "disease", "syndrome",
              "condition", "virus", "vaccine", "supplement", "treatment", "cream", "injection"}
_FOLLOW_UP = re.compile(r"^\s*(and|also|what about|how about|what if|et|and what|aussi|is it|does it|can it|"
                        r"are they|do they|et pour|et chez|et si|et les|et le|et la)\b", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(it|its|this|that|they|them|those|these|il|elle|ils|elles|ça|cela|ce)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-zÀ-ÿ0-9][A-Za-zÀ-ÿ0-9'-]*")
# Words that ask about an aspect of a topic, not a topic: a question made only of them needs the previous topic.
_ASPECT_STEMS = frozenset(content_tokens(
    "symptoms signs causes cause treatment treat treated cure cured prevent prevention diagnose diagnosed test "
    "tests contagious catch spread risk risks children child kids baby babies adults women men pregnancy "
    "pregnant elderly older outlook dangerous serious common medicine medicines medication drugs side effects "
    "long last lasts happen happens why how what about else more help helps work works get"))
# Everyday words that say nothing about the topic (never the question's 'most specific word').
_GENERIC_STEMS = frozenset(content_tokens(
    "really actually mean means meaning safe okay bad good worried worry wondering normal thing stuff feel feels "
    "feeling lot little big small real true right wrong best better worse need needs want wants know tell please "
    "thanks hello doctor said says told"))


@dataclass
class Source:
    number: int
    title: str
    publisher: str
    url: str
    passage: str
    attribution: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class KnowledgeAnswer:
    text: str
    sources: list[Source] = field(default_factory=list)
    abstained: bool = False
    lang: str = "en"
    topics: list[str] = field(default_factory=list)   # topic ids quoted (for follow-ups and the UI)
    note: str = ""                                     # date / not-medical-advice line to show with sources
    evidence: float = 0.0                              # best passage's evidence score (abstains below ABSTAIN_BELOW)

    def to_dict(self) -> dict:
        return {"text": self.text, "sources": [s.to_dict() for s in self.sources], "abstained": self.abstained,
                "lang": self.lang, "topics": self.topics, "note": self.note}

    def sources_markdown(self) -> str:
        """The sources as a Markdown list with links and attributions (for a collapsible panel)."""
        lines = []
        for s in self.sources:
            link = f"[{s.title}]({s.url})" if s.url else s.title
            lines.append(f"[{s.number}] {s.publisher}: {link}. {s.attribution}")
        return "\n".join(lines + ([f"\n{self.note}"] if self.note and lines else []))


@dataclass
class Query:
    """A question made ready for retrieval."""
    text: str                     # English retrieval text (translated, expanded, typos corrected)
    topic_words: str              # the question's own words (coverage and sentence choice)
    lang: str
    unknown_names: list[str]
    dropped: list[str]            # words unknown to the knowledge base (count against keyword coverage)
    named: set[str]
    qtypes: set[str]


@lru_cache(maxsize=1)
def _embedded_embedder():
    from models.embedder import EMBEDDED, load_embedder
    return load_embedder(EMBEDDED)


class KnowledgeService:
    """Answers health questions from the committed knowledge base (`data/knowledge/`)."""

    def __init__(self, data_dir: Path = DATA_DIR, embedder_loader: Callable[[], object] = _embedded_embedder,
                 abstain_below: float = ABSTAIN_BELOW):
        self.data_dir = Path(data_dir)
        self.abstain_below = abstain_below
        self._embedder_loader = embedder_loader
        self._kb: KnowledgeBase | None = None
        self._lock = threading.Lock()

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base, loaded on first use."""
        if self._kb is None:
            with self._lock:
                if self._kb is None:
                    self._kb = KnowledgeBase.load(self.data_dir)
        return self._kb

    def _embed(self, texts: list[str]) -> np.ndarray:
        return self._embedder_loader().encode(texts)

    # ---- understanding the question ---------------------------------------------------------
    def prepare(self, question: str) -> Query:
        """Translate (French), expand lay words, correct typos and spot unknown names."""
        lang = "fr" if is_french(question) else "en"
        english = translate_french(question) if lang == "fr" else question
        words, unknown, dropped = [], [], []
        tokens = _WORD.findall(english)
        for position, token in enumerate(tokens):
            word = token.strip("'-")
            lowered = fold(word)
            if (len(lowered) < 4 or any(c.isdigit() for c in lowered) or self.kb.knows(lowered)
                    or lowered in FRENCH_COMMON):
                words.append(word)
                continue
            fixed = self.kb.correct(lowered)
            if fixed:
                words.append(fixed)
            elif self._looks_like_name(word, tokens[:position], question):
                unknown.append(word)
            else:  # left out of the query ('grandma'), but it still counts as a question word not covered
                dropped.append(word)
        own = " ".join(words)
        expansion = lay_expansion(own)
        text = " ".join([own, *expansion])
        return Query(text, own, lang, unknown, dropped, self.kb.named_topics(text), question_types(text))

    @staticmethod
    def _looks_like_name(word: str, before: list[str], question: str) -> bool:
        """An unknown word that reads as a drug or disease name: suffix, capital letter or a cue word before it."""
        lowered = fold(word)
        capitalised = word[:1].isupper() and not question.strip().startswith(word)
        cue = any(fold(b) in _NAME_CUES for b in before[-2:])
        return capitalised or cue or lowered.endswith(_NAME_SUFFIXES) or len(lowered) >= 9

    def _is_follow_up(self, question: str, query: Query) -> bool:
        """A question that leans on the previous one ('and in children?', 'is it contagious?', 'the symptoms?')."""
        if query.named:
            return bool(_FOLLOW_UP.match(question)) and len(query.topic_words.split()) <= 4
        return bool(_FOLLOW_UP.match(question) or _PRONOUN.search(question)) or _only_aspects(query.topic_words)

    def _previous_topics(self, history: list[dict] | None) -> list[str]:
        """Topics of the latest earlier user question that had its own topic."""
        users = [m.get("content", "") for m in (history or []) if m.get("role") == "user"]
        for previous in reversed(users[-4:]):
            if not isinstance(previous, str) or not previous.strip():
                continue
            query = self.prepare(previous)
            if query.unknown_names:
                return []
            hits = self._retrieve(query)
            if hits and hits[0].evidence >= self.abstain_below:
                return [hits[0].passage.topic]
        return []

    # ---- retrieval ---------------------------------------------------------------------------
    def _retrieve(self, query: Query, vector: np.ndarray | None = None) -> list[Hit]:
        vector = self._embed([query.text])[0] if vector is None else vector
        keywords = " ".join([query.text, *query.dropped])
        return self.kb.search(keywords, vector, HIT_DEPTH, prefer=query.named, qtypes=query.qtypes)

    def search(self, question: str, k: int = HIT_DEPTH) -> list[Hit]:
        """The best passages for a question (no answer composed)."""
        query = self.prepare(question)
        return self._retrieve(query)[:k]

    def passages_for(self, topics_or_query: list[str] | str, k: int = 3) -> list[Passage]:
        """Passages for SkinGuard/Healytics: topic ids ('condition:mel', 'analyte:potassium', 'kb:4:0000001')
        give their first `k` passages each; a text query gives the `k` best passages."""
        if isinstance(topics_or_query, str):
            return [hit.passage for hit in self.search(topics_or_query, k)]
        kb = self.kb
        return [kb.passages[i] for topic in topics_or_query for i in kb.topic_passages.get(topic, [])[:k]]

    # ---- answers -----------------------------------------------------------------------------
    def answer(self, question: str, history: list[dict] | None = None) -> KnowledgeAnswer:
        """An extractive, cited answer to `question`, reading `history` (role/content dicts) for follow-ups."""
        question = (question or "").strip()
        if not question:
            return self._abstain("en")
        query = self.prepare(question)
        if query.unknown_names:
            return self._abstain(query.lang)
        if self._is_follow_up(question, query):
            previous = self._previous_topics(history)
            if previous:  # the topic's name joins the question; no title bonus, so 'Asthma in Children' can win
                title = self.kb.title(previous[0])
                query.text, query.topic_words, query.named = f"{title} {query.text}", f"{title} {query.topic_words}", set()
            elif _only_aspects(query.topic_words):  # 'what are the symptoms?' with no topic to lean on
                return self._abstain(query.lang)
        vector = self._embed([query.text])[0]
        hits = self._retrieve(query, vector=vector)
        evidence = max((h.evidence for h in hits[:3]), default=0.0)
        hits = self._using_rarest_word(query, hits)
        if evidence < self.abstain_below or not hits:
            return self._abstain(query.lang, evidence)
        answer = self._compose(query, hits, vector)
        answer.evidence = evidence
        return answer

    def _using_rarest_word(self, query: Query, hits: list[Hit]) -> list[Hit]:
        """Hits whose topic uses the question's most specific word ('coffee' in 'how much coffee is safe to
        drink?') first; none when no hit's topic uses it: the passages are about something else, and the
        question goes unanswered rather than half-answered ('side effects of metformin'). A passage whose
        meaning is very close to the question (cosine >= DENSE_SURE) stands without the word ('kid wetting
        the bed' and 'Bedwetting')."""
        words = [w for w in set(content_tokens(query.topic_words))
                 if self.kb.document_frequency(w) and w not in _ASPECT_STEMS and w not in _GENERIC_STEMS]
        if not words or hits[0].dense >= DENSE_SURE:
            return hits
        rarest = min(words, key=self.kb.document_frequency)
        using = [h for h in hits if self.kb.topic_mentions(h.passage.topic, rarest)]
        return using + [h for h in hits if h not in using] if using else []

    def _abstain(self, lang: str, evidence: float = 0.0) -> KnowledgeAnswer:
        return KnowledgeAnswer(ABSTAIN_FR if lang == "fr" else ABSTAIN_EN, [], True, lang, evidence=evidence)

    def _chosen_topics(self, hits: list[Hit]) -> list[str]:
        """The best topic, and a second one whose passage ranks nearly as well and matches the question at least
        as well ('Overactive Bladder: the medicine may come as a pill' does not join 'water pill')."""
        topics = [hits[0].passage.topic]
        for hit in hits[1:]:
            if (hit.passage.topic not in topics and hit.fused >= SECOND_TOPIC_RATIO * hits[0].fused
                    and hit.evidence >= hits[0].evidence):
                topics.append(hit.passage.topic)
                break
        return topics

    def _ranked_sentences(self, query: Query, hits: list[Hit], vector: np.ndarray) -> list[tuple[float, Hit, int, str]]:
        """(score, hit, position, sentence) for the sentences of the best passages, best first.

        Score: cosine to the question + 0.3 x share of the question's own words in the sentence + the passage's
        fused rank score, less a little per position in the passage; a list ('... include: a; b; c.') gains
        LIST_BONUS when the question asks for symptoms, causes, treatments, prevention or risks, and a sentence
        with a number gains NUMBER_BONUS when it asks how many, how long, how often or when.
        """
        candidates, seen = [], set()
        for hit in hits:
            for position, sentence in enumerate(sentences(hit.passage.text)):
                key = sentence.lower()
                if key not in seen:  # some sources repeat a sentence across answers
                    seen.add(key)
                    candidates.append((hit, position, sentence))
        candidates = candidates[:MAX_CANDIDATES]
        if not candidates:
            return []
        # Each sentence is embedded with its topic's name, so 'It measures your average blood glucose' is about A1C.
        vectors = self._embed([f"{h.passage.title}: {s}" for h, _, s in candidates])
        own_words = set(content_tokens(query.topic_words))
        wants_list = bool(query.qtypes & LIST_QTYPES)
        wants_number = bool(_QUANTITY_QUESTION.search(query.topic_words))
        scored = []
        for (hit, position, sentence), sentence_vector in zip(candidates, vectors):
            words = set(content_tokens(f"{hit.passage.title} {sentence}"))
            coverage = len(own_words & words) / len(own_words) if own_words else 0.0
            score = (float(vector @ sentence_vector) + 0.3 * coverage + 0.05 * hit.fused * RRF_K - 0.02 * position
                     + (LIST_BONUS if wants_list and _LIST.search(sentence) else 0.0)
                     + (NUMBER_BONUS if wants_number and _NUMBER.search(sentence) else 0.0))
            scored.append((score, hit, position, sentence))
        return sorted(scored, key=lambda item: -item[0])

    def _answer_passages(self, hits: list[Hit], topics: list[str]) -> list[Hit]:
        """The best passages of the chosen topics, and the rest of a short topic (a MedlinePlus summary)."""
        chosen = [h for h in hits if h.passage.topic in topics][:3]
        for topic in topics:
            passages = self.kb.topic_passages[topic]
            if len(passages) <= 3:
                best = max(h.fused for h in hits if h.passage.topic == topic)
                chosen += [Hit(i, self.kb.passages[i], best, 0.0, 0.0) for i in passages
                           if i not in {h.index for h in chosen}]
        return chosen

    @staticmethod
    def _select(scored: list[tuple[float, Hit, int, str]]) -> list[tuple[Hit, int, str]]:
        """The best sentences within SENTENCE_MARGIN of the best one, at most ANSWER_SENTENCES and about
        ANSWER_WORDS words; a sentence that leans on the one before it ('It measures ...') comes with it."""
        by_place = {(hit.index, position): (hit, position, sentence) for _, hit, position, sentence in scored}
        chosen: list[tuple[Hit, int, str]] = []
        words = 0
        for score, hit, position, sentence in scored:
            if chosen and score < scored[0][0] - SENTENCE_MARGIN:
                break
            group = [(hit, position, sentence)]
            if _ANAPHORA.match(sentence) or _BACK_REFERENCE.search(sentence):
                before = by_place.get((hit.index, position - 1))
                if before is None:
                    continue
                group.insert(0, before)
            group = [item for item in group if item not in chosen and not _repeats(item[2], chosen)]
            size = sum(len(item[2].split()) for item in group)
            if chosen and (len(chosen) + len(group) > ANSWER_SENTENCES or words + size > ANSWER_WORDS):
                continue
            chosen += group
            words += size
        return chosen

    def _compose(self, query: Query, hits: list[Hit], vector: np.ndarray) -> KnowledgeAnswer:
        topics = self._chosen_topics(hits)
        chosen = self._select(self._ranked_sentences(query, self._answer_passages(hits, topics), vector))
        numbers: dict[str, int] = {}
        for hit, _, _ in chosen:
            numbers.setdefault(hit.passage.topic, len(numbers) + 1)
        chosen.sort(key=lambda item: (numbers[item[0].passage.topic], item[0].index, item[1]))
        cited: dict[str, list[Hit]] = {}
        for hit, _, _ in chosen:
            if hit not in cited.setdefault(hit.passage.topic, []):
                cited[hit.passage.topic].append(hit)
        body = []
        for hit, _, sentence in chosen:
            kept, _ = grounded_sentences(sentence, [hit.passage.text], vocabulary=self.kb.vocabulary)
            if kept:
                body.append(f"{kept} [{numbers[hit.passage.topic]}]")
        if not body:
            return self._abstain(query.lang)
        sources = []
        for topic, number in numbers.items():
            first = cited[topic][0].passage
            text = " ".join(h.passage.text for h in sorted(cited[topic], key=lambda h: h.index))
            sources.append(Source(number, first.title, first.publisher, first.url, text, first.attribution))
        return KnowledgeAnswer(f"{_lead(sources, query.lang)}\n\n" + " ".join(body), sources, False, query.lang,
                               list(numbers), DATE_NOTE_FR if query.lang == "fr" else DATE_NOTE_EN)


def _repeats(sentence: str, chosen: list[tuple[Hit, int, str]]) -> bool:
    """The sentence says nearly what a chosen one says (80% of the same topic words): sources repeat themselves."""
    words = set(content_tokens(sentence))
    for _, _, other in chosen:
        other_words = set(content_tokens(other))
        if words and other_words and len(words & other_words) / len(words | other_words) >= 0.8:
            return True
    return False


def _only_aspects(text: str) -> bool:
    """True when every topic word of `text` only asks about an aspect (symptoms, treatment, children, ...)."""
    words = content_tokens(text)
    return all(word in _ASPECT_STEMS for word in words)


def _lead(sources: list[Source], lang: str) -> str:
    """One fixed line naming what is quoted (in French: that the source is in English)."""
    first = sources[0]
    if lang == "fr":
        return f"Je cite une source en anglais ({first.publisher}, « {first.title} ») :"
    return f"From {first.publisher}, \u201c{first.title}\u201d:"


def collapsible_sources(sources_markdown: str, title: str = "Sources") -> str:
    """A sources list as a collapsible block under an answer ("" when there is none)."""
    return f"<details><summary>{title}</summary>\n\n{sources_markdown}\n\n</details>" if sources_markdown else ""


def guard_generated(text: str, answer: KnowledgeAnswer, question: str = "") -> str:
    """Model-written text (a plain-language lead or an hf/openai answer) cut at any loop and reduced to its
    sentences grounded in `answer`'s cited passages or the question; failing sentences are dropped silently."""
    passages = [source.passage for source in answer.sources]
    if not passages:
        return ""
    kept, _ = grounded_sentences(strip_repetition(text), passages, question)
    return kept
