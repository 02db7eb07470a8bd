"""One session's hybrid index: dense (FAISS inner product on normalised embeddings), BM25 and concept coverage,
fused by RRF."""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.chunking import Chunk
from rag.lexicon import Concept, cue_terms, expansion, question_concepts

RRF_K = 60  # the usual reciprocal-rank-fusion constant
# Where a document gives its own date ("Clinic date: 23/04/2024", "Admitted 02/10/2025"): 300 characters reached
# the history line under a five-line header ("Admitted in February ..."); 200 gives the same figures on every set.
HEADER_CHARS = 200
PROFILE_LINES, PROFILE_CHARS = 2, 160  # a document's opening, read as every chunk's context (`profile`)
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)?")
_GLUED = re.compile(r"^[0-9]+([a-z]{3,})$")
WORD = re.compile(r"[a-z]{3,}")  # a word of 3+ letters: what the typo fixer (`rag.spelling`) knows and checks
# Words that carry no topic: dropped from BM25 queries and from keyword coverage.
STOPWORDS = frozenset((
    "a", "about", "according", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
    "been", "before", "being", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "done",
    "during", "each", "else", "ever", "for", "from", "had", "has", "have", "having", "he", "her", "here", "hers",
    "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "me", "mine", "my", "myself", "no", "nor",
    "not", "of", "off", "on", "once", "only", "or", "other", "our", "out", "over", "own", "please", "said", "say",
    "says", "she", "should", "show", "so", "some", "such", "tell", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "upon", "very",
    "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would",
    "you", "your", "yours", "level", "levels", "value", "values", "result", "results", "record", "records",
    "document", "documents", "report", "reports", "mention", "mentioned", "listed", "written", "find", "found",
    "give", "given", "know", "much", "many", "number", "get", "got", "note", "notes", "chart", "kind",
    "sort", "against", "lowest", "highest", "latest", "last", "first", "recent", "current", "go", "went", "come", "came", "big", "large", "high", "low", "long", "often", "since",
    # Verbs of seeing and saying ("what did the surgeon notice / say / think it meant") and taking: they
    # name the act of reporting, not the topic ("Which pills was I taking" asks about pills).
    "notice", "noticed", "see", "saw", "seen", "say", "think", "thought", "mean", "meant", "decide", "decided",
    "feel", "felt", "look", "looked", "take", "taking", "taken", "took", "told", "far", "put", "any", "end", "keep",
    # Chatty fillers of lay questions ("what did they actually find", "why did I need it in the first place",
    # "the June one"): words that no record uses for a topic, so an uncovered one counted as a missing topic.
    "actually", "exactly", "just", "already", "still", "really", "little", "bit", "now", "need", "needed",
    "apart", "alone", "place", "well", "supposed", "like", "make", "made", "use", "used", "one", "times",
    "anything", "something", "whether", "okay",
    # More of the same, from the questions of record sets written outside the project (writer_records,
    # real_records_heldout/r1): "the name of the surgeon", "the biggest gallstone", "roughly how heavy",
    # "what was going on with", "they gave me", "brought in", "the same blood thinner".
    "name", "named", "biggest", "largest", "smallest", "bigger", "smaller", "roughly", "approximately",
    "going", "gave", "brought", "bring", "wrong", "same", "asking", "want", "wanted", "anywhere", "afterwards",
    "afterward", "amount",
))


def stem(word: str) -> str:
    """Plural to singular (the 'S-stemmer': 'allergies' -> 'allergy', 'pressures' -> 'pressure'), and
    '-ed'/'-ing' off long words. A cut to the first 5 letters made 'transaminase' match 'transplant' and
    'hydrochlorothiazide' match 'hydrocodone'; other word forms meet through `rag.lexicon` groups.
    """
    if len(word) > 3 and word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("us", "ss", "is")):
        return word[:-1]
    if len(word) >= 7 and word.endswith(("ing", "ed")):  # 'transplanted' -> 'transplant', 'bleeding' -> 'bleed'
        return word[:-3] if word.endswith("ing") else word[:-2]
    return word


_STOP_STEMS = frozenset(stem(t) for t in STOPWORDS)


MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
# A numeric date ("19/06/2023", "06-19-2023", "2023-06-19") or an abbreviated month next to a number ("17 Mar
# 2025", "Jun 3"): the month's name joins the tokens, so "the June blood test" finds the results of 19/06/2023.
_NUMERIC_DATE = re.compile(r"\b(?:(\d{1,2})[/.-](\d{1,2})[/.-](?:\d{4}|\d{2})|\d{4}-(\d{1,2})-\d{1,2})\b")
_SHORT_MONTH = re.compile(r"(?:\b\d{1,2}[ -]|\b)(jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?(?=[ -]?\d)"
                          r"|(?<=\d[ -])(jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b", re.IGNORECASE)


def day_first(text: str) -> bool | None:
    """Whether a record writes its numeric dates day first ("24/03/2025" somewhere in it), month first
    ("03/24/2025"), or None when no date tells."""
    orders = {int(m.group(1)) > 12 for m in _NUMERIC_DATE.finditer(text)
              if not m.group(3) and (int(m.group(1)) > 12) != (int(m.group(2)) > 12)}
    return next(iter(orders)) if len(orders) == 1 else None


def date_months(text: str, first_is_day: bool | None = None) -> list[str]:
    """Month names of the dates written with numbers or abbreviations; a day/month order that cannot be told
    ("03/10/2021": March or October) gives both, unless the record's order is known (`day_first`)."""
    months = []
    for match in _NUMERIC_DATE.finditer(text):
        if match.group(3):
            numbers = [int(match.group(3))]
        else:
            first, second = int(match.group(1)), int(match.group(2))
            numbers = ([second] if first > 12 or first_is_day else [first] if second > 12 or first_is_day is False
                       else [first, second])
        months += [MONTHS[n - 1] for n in numbers if 1 <= n <= 12]
    for match in _SHORT_MONTH.finditer(text):
        short = match.group(1) or match.group(2)
        months += [m for m in MONTHS if m.startswith(short[:3].lower())]
    return months


# Month names that are never another word: "may" is a month only where its neighbours say so (`_MONTH_WORD`,
# `rag.answerability.asked_periods`).
PLAIN_MONTHS = "|".join(m for m in MONTHS if m != "may")
# Months written out ("3 March 2025", "in March"; "may" only next to a number) and years ("2025", "03/03/25").
_MONTH_WORD = re.compile(rf"\b({PLAIN_MONTHS})\b|"
                         r"\b(may)\b(?=,?\s*\d)|(?<=\d)\s*(may)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b(?!\s*(?:mg|mcg|ml|cc|units?|iu|kcal|cal|calories|g|kg|mmol|ng|steps)\b)",
                   re.IGNORECASE)
_SHORT_YEAR = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](\d{2})\b")
# A date of birth dates the patient, not the record ("DOB: 12/04/1961").
_BIRTH_LINE = re.compile(r"^.*\b(?:dob|d\.o\.b|date of birth|birth ?date|born)\b.*$", re.IGNORECASE | re.MULTILINE)


def date_periods(text: str, first_is_day: bool | None = None) -> frozenset[str]:
    """The months ("march") and years ("2025") of the dates in `text`, dates of birth left out; `first_is_day` is
    the record's day/month order (`day_first`)."""
    text = _BIRTH_LINE.sub(" ", text)
    months = {next(g for g in m.groups() if g).lower() for m in _MONTH_WORD.finditer(text)}
    years = {m.group() for m in _YEAR.finditer(text)} | {f"20{m.group(1)}" for m in _SHORT_YEAR.finditer(text)}
    return frozenset(months | years | set(date_months(text.lower(), first_is_day)))


# "A&E" is one word (accident and emergency); "didn't" holds a "not"; "what's", "I'm", "Crohn's" lose their ending.
_AE = re.compile(r"\ba\s?&\s?e\b")
_NOT = re.compile(r"n['\u2019]t\b")
_CLITIC = re.compile(r"['\u2019](?:s|m|re|ve|ll|d)\b")


def tokenize(text: str) -> list[str]:
    """Lower-case number tokens and word stems (`stem`); a digit stuck to a name is dropped
    ('1Hgb' in vendor C-CDA tables -> 'hgb'); a single letter after a word is one name with it
    ('vitamin D' -> 'vitamin', 'vitamind'; 'hepatitis B' -> 'hepatitis', 'hepatitisb'), so a question
    about vitamin D is not covered by 'vitamin C' and a stray 'd'. The months of numeric dates are added
    (`date_months`)."""
    text = _CLITIC.sub("", _NOT.sub(" not", _AE.sub("accident and emergency", text.lower())))
    tokens = date_months(text)
    previous = ""
    for token in _TOKEN.findall(text):
        glued = _GLUED.match(token)
        token = glued.group(1) if glued else token
        if (len(token) == 1 and token not in "aix" and token.isalpha() and len(previous) >= 3
                and previous.isalpha() and previous not in STOPWORDS):
            tokens.append(previous + token)
            previous = token
            continue
        previous = token
        tokens.append(stem(token) if token.isalpha() else token)
    return tokens


def content_tokens(text: str) -> list[str]:
    """The topic words of a question: stems that are not stopwords, nor a stray letter ("Hep B" is "hepb")."""
    return [t for t in tokenize(text) if t not in _STOP_STEMS and not (len(t) == 1 and t.isalpha())]


def doc_title(doc_name: str) -> str:
    """'b_ct_chest_report.txt' -> 'b ct chest report'."""
    return Path(doc_name).stem.replace("_", " ").replace("-", " ")


def search_text(chunk: Chunk) -> str:
    """What gets embedded and keyword-indexed: the document's name gives each chunk its context."""
    return f"{doc_title(chunk.doc_name)}: {chunk.text}"


@dataclass
class Hit:
    chunk: Chunk
    rrf: float        # fused rank score (orders the hits)
    dense: float      # cosine similarity of question and chunk
    keyword: float    # IDF-weighted share of the question's concepts (rag.lexicon) the chunk covers
    bm25: float
    dense_rank: int = 0   # 0-based rank in the dense ranking
    bm25_rank: int = 0    # 0-based rank in the BM25 ranking (len(index) when no query word matched)

    @property
    def evidence(self) -> float:
        """How well this chunk matches the question, 0..1 (shown as the source's score)."""
        return 0.5 * max(self.dense, 0.0) + 0.5 * self.keyword


class HybridIndex:
    """Chunks plus their embeddings; rebuilt cheaply on every change (sessions hold few documents)."""

    def __init__(self, dim: int):
        self.dim = dim
        self.chunks: list[Chunk] = []
        self.embeddings = np.zeros((0, dim), dtype=np.float32)
        self._faiss = None
        self._bm25 = None
        self._postings: dict[str, set[int]] = {}
        self._chunk_tokens: list[set[str]] = []
        self._profiles: dict[str, str] = {}
        self._doc_matches: dict[tuple[str, str], bool] = {}
        self._doc_periods: dict[str, frozenset[str]] = {}
        self._day_first: dict[str, bool | None] = {}
        self._words: frozenset[str] | None = None

    def __len__(self) -> int:
        return len(self.chunks)

    def add(self, chunks: list[Chunk], embeddings: np.ndarray) -> None:
        if len(chunks) != len(embeddings):
            raise ValueError("one embedding per chunk")
        self.chunks.extend(chunks)
        self.embeddings = np.vstack([self.embeddings, np.asarray(embeddings, dtype=np.float32).reshape(-1, self.dim)])
        self._rebuild()

    def remove_doc(self, doc_id: str) -> int:
        keep = [i for i, c in enumerate(self.chunks) if c.doc_id != doc_id]
        removed = len(self.chunks) - len(keep)
        self.chunks = [self.chunks[i] for i in keep]
        self.embeddings = self.embeddings[keep] if keep else np.zeros((0, self.dim), dtype=np.float32)
        self._rebuild()
        return removed

    def _rebuild(self) -> None:
        import faiss
        from rank_bm25 import BM25Okapi

        self._faiss = faiss.IndexFlatIP(self.dim)
        if len(self.embeddings):
            self._faiss.add(np.ascontiguousarray(self.embeddings))
        self._profiles = {}
        self._doc_matches = {}
        self._doc_periods = {}
        self._day_first = {}
        self._words = None
        # Keywords of a chunk: its document's name and opening ("EXAM: CT chest", "REASON FOR VISIT: Kidney
        # transplant") with its text, so "At the kidney clinic, what was my blood pressure" finds the clinic
        # note's vital signs even when the file is called "record_2.txt".
        tokenized = [tokenize(f"{search_text(c)} {self.profile(c.doc_id)}") for c in self.chunks]
        self._bm25 = BM25Okapi(tokenized) if tokenized else None
        self._chunk_tokens = [set(t) for t in tokenized]
        self._postings = {}
        for i, tokens in enumerate(self._chunk_tokens):
            for token in tokens:
                self._postings.setdefault(token, set()).add(i)

    def profile(self, doc_id: str) -> str:
        """What kind of document it is, as its opening says: the first PROFILE_LINES lines of its first chunk
        ("COLONOSCOPY REPORT", "Dear Dr. ..., I saw your patient in the gastroenterology clinic"), so a
        question that names the document ("the camera test", "the specialist's letter") finds it whatever
        the file is called."""
        if doc_id not in self._profiles:
            first = next((c for c in self.chunks if c.doc_id == doc_id and c.kind == "text"), None)
            lines = [line for line in (first.text.split("\n") if first else []) if line.strip()]
            self._profiles[doc_id] = " ".join(lines[:PROFILE_LINES])[:PROFILE_CHARS]
        return self._profiles[doc_id]

    def doc_matches(self, doc_id: str, pattern: re.Pattern) -> bool:
        """Whether any chunk of the document matches `pattern` (cached per document and pattern)."""
        key = (doc_id, pattern.pattern)
        if key not in self._doc_matches:
            self._doc_matches[key] = any(pattern.search(c.text) for c in self.chunks if c.doc_id == doc_id)
        return self._doc_matches[key]

    def words(self) -> frozenset[str]:
        """Every word of 3+ letters the records use, lower case (the known words of `rag.spelling`), cached."""
        if self._words is None:
            self._words = frozenset(w for c in self.chunks for w in WORD.findall(c.text.lower()))
        return self._words

    def doc_periods(self, doc_id: str) -> frozenset[str]:
        """The months and years of the document's own date: the dates of its header (its first HEADER_CHARS
        characters, dates of birth left out), or of every date it holds when its header has none; cached."""
        if doc_id not in self._doc_periods:
            chunks = [c for c in self.chunks if c.doc_id == doc_id]
            order = self.day_first(doc_id)
            opening = "\n".join(c.text for c in chunks if c.kind == "text")[:HEADER_CHARS]
            header = date_periods(opening, order)
            self._doc_periods[doc_id] = header or frozenset().union(*(date_periods(c.text, order) for c in chunks))
        return self._doc_periods[doc_id]

    def day_first(self, doc_id: str) -> bool | None:
        """The document's day/month order of numeric dates (`day_first`), else that of all the session's records
        (one person's records mostly come from one country: "06/03/25" in a discharge note whose dates are all
        early in the month is 6 March when the GP letter writes "24/01/25"); cached."""
        if doc_id not in self._day_first:
            own = day_first("\n".join(c.text for c in self.chunks if c.doc_id == doc_id))
            self._day_first[doc_id] = own if own is not None else day_first("\n".join(c.text for c in self.chunks))
        return self._day_first[doc_id]

    def covering(self, concept: Concept) -> set[int]:
        """Ids of the chunks that cover `concept` (hold every word of one of its alternatives)."""
        found: set[int] = set()
        for alternative in concept.alternatives:
            ids = set(self._postings.get(alternative[0], ()))
            for token in alternative[1:]:
                ids &= self._postings.get(token, set())
            found |= ids
        return found

    def concept_weight(self, concept: Concept) -> float:
        """IDF of a concept over this index: a concept no chunk covers weighs most."""
        return math.log(1 + (len(self.chunks) + 1) / (len(self.covering(concept)) + 0.5))

    def tokens_of(self, chunk_id: int) -> set[str]:
        return self._chunk_tokens[chunk_id]

    def search(self, query: str, query_embedding: np.ndarray, k: int) -> list[Hit]:
        """The top `k` chunks by reciprocal rank fusion of dense and BM25 (lexicon-expanded) rankings."""
        if not self.chunks:
            return []
        n = len(self.chunks)
        vector = np.asarray(query_embedding, dtype=np.float32).reshape(1, self.dim)
        import faiss

        # One OpenMP thread, set in the calling thread (OpenMP keeps the setting per thread): FAISS's threaded
        # search spun forever in request threads beside torch on the 10k-passage knowledge index; a session's
        # index is far smaller, and one thread searches it in well under a millisecond.
        faiss.omp_set_num_threads(1)
        dense_scores, dense_ids = self._faiss.search(vector, n)
        dense = {int(i): float(s) for i, s in zip(dense_ids[0], dense_scores[0]) if i >= 0}
        dense_rank = {int(i): rank for rank, i in enumerate(dense_ids[0]) if i >= 0}
        concepts = question_concepts(query)
        query_tokens = sorted(set(expansion(concepts)) | set(cue_terms(query)))
        bm25 = self._bm25.get_scores(query_tokens) if query_tokens else np.zeros(n)
        fused = {i: 1.0 / (RRF_K + rank) for i, rank in dense_rank.items()}
        bm25_rank = {}
        for rank, i in enumerate(int(i) for i in np.argsort(-bm25) if bm25[i] > 0):
            bm25_rank[i] = rank
            fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank)
        weights = [self.concept_weight(c) for c in concepts]
        covers = [self.covering(c) for c in concepts]
        total = sum(weights)
        # A third ranking: the IDF-weighted share of the question's concepts (after lay -> clinical mapping)
        # a chunk covers. BM25 sums term scores, so nine urine-table rows that each hold "urine" and "test"
        # outranked the one plan that names "urine" and "decoy cells"; coverage ranks that plan first.
        coverage: dict[int, float] = {}
        for weight, ids in zip(weights, covers):
            for i in ids:
                coverage[i] = coverage.get(i, 0.0) + weight
        # Equal coverage, equal rank (the number of chunks that cover more): this ranking only lifts chunks that
        # cover more of the question, and leaves ties to the other two.
        levels = sorted({round(v, 9) for v in coverage.values()}, reverse=True)
        above = {level: sum(1 for v in coverage.values() if round(v, 9) > level) for level in levels}
        for i, value in coverage.items():
            fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + above[round(value, 9)])
        hits = []
        for i in sorted(fused, key=fused.get, reverse=True)[:k]:
            covered = coverage.get(i, 0.0)
            hits.append(Hit(self.chunks[i], fused[i], dense.get(i, 0.0), covered / total if total else 0.0,
                            float(bm25[i]), dense_rank.get(i, n), bm25_rank.get(i, n)))
        return hits

    def hits_for(self, ids: list[int], query_embedding: np.ndarray) -> list[Hit]:
        """Hits for chunks chosen by id (not ranked by `search`), with their dense similarity."""
        vector = np.asarray(query_embedding, dtype=np.float32).reshape(self.dim)
        n = len(self.chunks)
        return [Hit(self.chunks[i], 0.0, float(self.embeddings[i] @ vector), 0.0, 0.0, n, n) for i in ids]

    # Persistence (kept records of a logged-in user)
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "embeddings.npy", self.embeddings)
        (folder / "chunks.json").write_text(json.dumps([c.to_dict() for c in self.chunks]), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, dim: int) -> HybridIndex:
        index = cls(dim)
        chunks = [Chunk(**c) for c in json.loads((folder / "chunks.json").read_text(encoding="utf-8"))]
        embeddings = np.load(folder / "embeddings.npy")
        if chunks:
            index.add(chunks, embeddings)
        return index
