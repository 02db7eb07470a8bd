"""HealyChat: questions answered from the user's own records, with [n] citations or an honest abstention.

Answers are extractive: the sentence or table row that answers, quoted with its source; a weaker match
is shown as "This may answer it"; "I cannot find that in your records" only when nothing relevant is
there (`rag.answerability`). No language model writes any part of an answer.

Each browser session has its own `SessionRecords` (documents + hybrid index) in
`session.records`; nothing is shared between sessions. A logged-in user who opts in keeps
their records under `<data_dir>/users/<user_id>/records/`; everything else ends with the session.
"""
from __future__ import annotations

import hashlib
import json
import logging
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.answerability import ANSWER, REFUSE, Decision, decide, finding_chunks
from rag.chunking import Chunk, lab_chunks, lab_citation, page_chunks, section_at
from rag.index import Hit, HybridIndex, search_text
from rag.prompting import CANNOT_FIND
from rag.ranker import RANK_DEPTH, load_ranker
from rag.spelling import corrected, knowledge_speller, records_speller
from reports.extract import TEXT_SUFFIXES
from safety.limits import too_long
from safety.redflags import red_flag_guidance
from settings import Settings

log = logging.getLogger(__name__)

PARTIAL_PASSAGE_CHARS = 400  # a partial answer shows the whole passage when it is at most this long


@dataclass
class DocumentInfo:
    doc_id: str
    name: str
    pages: int
    chunks: int
    lab_results: int
    ocr_used: bool
    fingerprint: str
    added_at: float = field(default_factory=time.time)


@dataclass
class Source:
    doc: str
    page: int
    text: str
    score: float
    location: str = ""  # what to cite: "page 3", or the section heading of a one-page text file

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class RagAnswer:
    answer: str
    abstained: bool
    sources: list[Source]
    done: bool = True

    def to_dict(self) -> dict:
        return {"answer": self.answer, "abstained": self.abstained, "sources": [s.to_dict() for s in self.sources]}


class SessionRecords:
    """One session's documents and index. `owner` is the user id whose records it holds (None: guest)."""

    def __init__(self, owner: int | None):
        self.owner = owner
        self.restored_for: int | None = None
        self.documents: dict[str, DocumentInfo] = {}
        self.index: HybridIndex | None = None
        self.lock = threading.RLock()


def _default_embedder(settings: Settings):
    from models.registry import get_embedder
    return get_embedder(settings)


class RagService:
    def __init__(self, settings: Settings, embedder: Callable[[Settings], object] = _default_embedder):
        self.settings = settings
        self._embedder = embedder

    @property
    def embedder(self):
        return self._embedder(self.settings)

    # ---- per-session records --------------------------------------------------------------
    def records(self, session) -> SessionRecords:
        """This session's records, restoring a logged-in user's kept records on first use."""
        store = session.records
        if store is not None and store.owner is not None and store.owner != session.user_id:
            store = None  # logged out or switched user: their records must not stay visible
        if store is None:
            store = SessionRecords(session.user_id)
            session.records = store
        if session.user_id is not None and store.restored_for != session.user_id:
            with store.lock:
                store.owner = store.restored_for = session.user_id
                if self._restore(session, store):
                    session.keep_records = True
        return store

    def drop_session(self, session) -> None:
        """`sessions.on_drop` hook: free the index (kept records are already on disk)."""
        store, session.records = session.records, None
        if store is not None:
            with store.lock:
                store.documents.clear()
                store.index = None

    def list_documents(self, session) -> list[DocumentInfo]:
        store = self.records(session)
        with store.lock:
            return sorted(store.documents.values(), key=lambda d: d.added_at)

    def add_document(self, session, name: str, pages: list[str], results: list | None = None,
                     ocr_used: bool = False, source_file: str | Path | None = None) -> str:
        """Chunk, embed and index one record; returns a status message for the user."""
        name = Path(str(name or "record")).name or "record"
        pages = [str(p or "") for p in pages or []]
        if not any(p.strip() for p in pages) and not results:
            return f"{name}: no readable text, nothing was added."
        fingerprint = hashlib.sha256("\f".join(pages).encode("utf-8")).hexdigest()[:16]
        store = self.records(session)
        with store.lock:
            for info in store.documents.values():
                if info.fingerprint == fingerprint:
                    return f"{name} is already in your records (as {info.name})."
            doc_id = uuid.uuid4().hex[:10]
            keep_spacing = Path(name).suffix.lower() in TEXT_SUFFIXES
            chunks = page_chunks(doc_id, name, pages, self.settings.chunk_size, self.settings.chunk_overlap,
                                 keep_spacing)
            labs = lab_chunks(doc_id, name, results, pages, keep_spacing)
            embedder = self.embedder
            vectors = embedder.encode([search_text(c) for c in chunks + labs])
            if store.index is None:
                store.index = HybridIndex(embedder.dim)
            store.index.add(chunks + labs, vectors)
            records_speller(store.index.words())  # the typo fixer's word lists, built now rather than at the question
            knowledge_speller()
            store.documents[doc_id] = DocumentInfo(doc_id, name, len(pages), len(chunks), len(labs),
                                                   bool(ocr_used), fingerprint)
            if source_file is not None:
                self._keep_file(session, doc_id, name, Path(source_file))
            self._save_if_kept(session, store)
        labs_note = f", {len(labs)} lab results" if labs else ""
        return f"Added {name}: {len(pages)} page(s), {len(chunks)} passages{labs_note}."

    def add_file(self, session, path: str | Path) -> str:
        """Read an uploaded PDF/text record and add it; returns a status message.

        Raises `rag.documents.RecordError` (a user-facing message) for an unreadable file.
        """
        from rag.documents import read_record

        path = Path(path)
        record = read_record(path, self.settings.max_pdf_pages, self.settings.max_upload_mb * 2**20)
        return self.add_document(session, path.name, record.pages, record.results, record.ocr_used, source_file=path)

    def remove_document(self, session, doc_id: str) -> str:
        store = self.records(session)
        with store.lock:
            info = store.documents.pop(doc_id, None)
            if info is None:
                return "That record is not in this session."
            if store.index is not None:
                store.index.remove_doc(doc_id)
            for kept in self._files_dirs(session):
                for file in kept.glob(f"{doc_id}_*"):
                    file.unlink(missing_ok=True)
            self._save_if_kept(session, store)
        return f"Removed {info.name}."

    def clear(self, session) -> str:
        store = self.records(session)
        with store.lock:
            count = len(store.documents)
            store.documents.clear()
            store.index = None
            for kept in self._files_dirs(session):
                shutil.rmtree(kept, ignore_errors=True)
            self._save_if_kept(session, store)
        return f"Removed all {count} record(s)." if count else "There were no records to remove."

    # ---- retrieval and answers --------------------------------------------------------------
    def retrieve(self, session, question: str, k: int | None = None) -> list[Hit]:
        """The top hits by hybrid retrieval (dense + lexicon-expanded BM25), before answerability re-ranking."""
        store = self.records(session)
        with store.lock:
            if store.index is None or not len(store.index):
                return []
            vector = self.embedder.encode([question])[0]
            return store.index.search(question, vector, k or max(self.settings.rag_top_k, RANK_DEPTH))

    def decide(self, session, question: str) -> tuple[Decision, list[Hit]]:
        """Retrieval plus the answer / partial / refuse decision (`rag.answerability`); hits re-ordered."""
        store = self.records(session)
        with store.lock:
            if store.index is None or not len(store.index):
                return Decision(REFUSE, None, "", 1.0, True, 0.0), []
            question = corrected(question, store.index.words())  # "potasium" -> "potassium"
            return decide(question, self._candidate_hits(store, question), store.index, load_ranker().order)

    def candidate_hits(self, session, question: str) -> list[Hit]:
        """The hits the learned ranker orders: the top RANK_DEPTH of hybrid retrieval, plus the Findings /
        Impression of the report a "what did the scan show" question names."""
        store = self.records(session)
        with store.lock:
            if store.index is None or not len(store.index):
                return []
            return self._candidate_hits(store, corrected(question, store.index.words()))

    def _candidate_hits(self, store: SessionRecords, question: str) -> list[Hit]:
        vector = self.embedder.encode([question])[0]
        hits = store.index.search(question, vector, RANK_DEPTH)
        return hits + store.index.hits_for(finding_chunks(question, hits, store.index), vector)

    def should_abstain(self, session, question: str) -> bool:
        return self.decide(session, question)[0].verdict == REFUSE

    def answer(self, session, question: str) -> RagAnswer:
        *_, final = self.answer_stream(session, question)
        return final

    def answer_stream(self, session, question: str, stop: threading.Event | None = None) -> Iterator[RagAnswer]:
        """The answer as one snapshot: every sentence is quoted from the records by code, with its source.

        `stop` is accepted for the chat tab's interface; nothing is generated, so there is nothing to stop.
        """
        question = (question or "").strip()
        if not question:
            yield RagAnswer("Please type a question about your records.", True, [])
            return
        refusal = too_long(question, self.settings.max_message_chars, "question")
        if refusal:  # before any retrieval
            yield RagAnswer(refusal, True, [])
            return
        emergency = red_flag_guidance(question)
        if emergency:  # the same detector as the assistant: the guidance is the whole answer
            yield RagAnswer(emergency, False, [])
            return
        if not self.list_documents(session):
            yield RagAnswer("There are no records in this session yet: upload a document or add a "
                            "Healytics report first.", True, [])
            return
        decision, hits = self.decide(session, question)
        hits = hits[:max(self.settings.rag_top_k, 3)]
        documents = {d.doc_id: d for d in self.list_documents(session)}
        sources = [Source(h.chunk.doc_name, h.chunk.page, h.chunk.text, round(h.evidence, 3),
                          _location(h.chunk, documents.get(h.chunk.doc_id))) for h in hits]
        if decision.verdict == REFUSE or decision.best is None:
            yield RagAnswer(f"{CANNOT_FIND} The closest passages are listed below, but they do not "
                            "seem to answer your question.", True, sources)
            return
        best = decision.best
        number = next(n for n, h in enumerate(hits, start=1) if h is best.hit)
        location = _location(best.hit.chunk, documents.get(best.hit.chunk.doc_id), best.sentence)
        where = f"{best.hit.chunk.doc_name}, {location}"
        if decision.verdict == ANSWER:
            yield RagAnswer(f"From {where}: \u201c{_quoted(best.sentence, best.hit.chunk, location)}\u201d [{number}]",
                            False, sources)
            return
        passage = best.hit.chunk.text if len(best.hit.chunk.text) <= PARTIAL_PASSAGE_CHARS else best.sentence
        yield RagAnswer(f"This may answer it, from {where}: \u201c{_quoted(passage, best.hit.chunk, location)}\u201d [{number}]",
                        False, sources)

    # ---- kept records of logged-in users -----------------------------------------------------
    def user_records_dir(self, user_id: int) -> Path:
        return self.settings.data_path / "users" / str(int(user_id)) / "records"

    def set_keep_records(self, session, keep: bool) -> str:
        """The tab's opt-in: keep (save now) or stop keeping (delete the saved copy)."""
        if session.user_id is None:
            session.keep_records = False
            return "Log in to keep your records between visits; as a guest they are deleted when you leave."
        store = self.records(session)
        session.keep_records = bool(keep)
        with store.lock:
            if keep:
                self._save(session, store)
                return "Your records will be kept for your next visit (only you can see them)."
            shutil.rmtree(self.user_records_dir(session.user_id), ignore_errors=True)
        return "Your saved records were deleted; this session's records end when you leave."

    def _files_dirs(self, session) -> list[Path]:
        dirs = [Path(session.workdir) / "rag"]
        if session.user_id is not None:
            dirs.append(self.user_records_dir(session.user_id) / "files")
        return dirs

    def _keep_file(self, session, doc_id: str, name: str, source: Path) -> None:
        """A copy of the upload in the session folder (deleted with the session), or the user's folder."""
        target_dir = Path(session.workdir) / "rag"
        target_dir.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(source, target_dir / f"{doc_id}_{name}")
        except OSError as error:
            log.warning("could not keep a copy of record %s: %s", doc_id, type(error).__name__)  # ids, not names

    def _save_if_kept(self, session, store: SessionRecords) -> None:
        if session.user_id is not None and session.keep_records:
            self._save(session, store)

    def _save(self, session, store: SessionRecords) -> None:
        folder = self.user_records_dir(session.user_id)
        folder.mkdir(parents=True, exist_ok=True)
        (store.index or HybridIndex(self.embedder.dim)).save(folder / "index")
        documents = [asdict(d) for d in store.documents.values()]
        (folder / "documents.json").write_text(json.dumps(documents), encoding="utf-8")
        files = folder / "files"
        files.mkdir(exist_ok=True)
        session_files = Path(session.workdir) / "rag"
        for file in session_files.glob("*") if session_files.exists() else []:
            if file.name.split("_", 1)[0] in store.documents and not (files / file.name).exists():
                shutil.copyfile(file, files / file.name)

    def _restore(self, session, store: SessionRecords) -> bool:
        folder = self.user_records_dir(session.user_id)
        if not (folder / "documents.json").exists():
            return False
        try:
            documents = [DocumentInfo(**d) for d in json.loads((folder / "documents.json").read_text("utf-8"))]
            saved = HybridIndex.load(folder / "index", self.embedder.dim)
        except (OSError, ValueError, TypeError) as error:
            log.warning("could not restore records of user %s: %s", session.user_id, error)
            return False
        new_ids = {d.doc_id for d in documents} - set(store.documents)
        chunks: list[Chunk] = [c for c in saved.chunks if c.doc_id in new_ids]
        if chunks:
            rows = [i for i, c in enumerate(saved.chunks) if c.doc_id in new_ids]
            if store.index is None:
                store.index = HybridIndex(saved.dim)
            store.index.add(chunks, saved.embeddings[rows])
        for info in documents:
            if info.doc_id in new_ids:
                store.documents[info.doc_id] = info
        return True



def _quoted(text: str, chunk: Chunk, location: str) -> str:
    """The quote without what its citation already says: the section heading the chunker put in front, or a lab
    result's ', report X, page 2'."""
    if chunk.kind == "lab":
        cited = lab_citation(chunk.doc_name, chunk.page)
        text = text.replace(cited if cited in text else lab_citation(chunk.doc_name, None), "", 1)
    return text[len(location) + 2:] if location and text.startswith(f"{location}: ") else text


def _location(chunk: Chunk, document: DocumentInfo | None, quote: str = "") -> str:
    """'page 3' for a PDF or a many-page record; for a one-page text file, the section heading (of the
    quoted sentence when one is given)."""
    if document is None or document.pages != 1 or document.name.lower().endswith(".pdf"):
        return f"page {chunk.page}"
    return (section_at(chunk, quote) if quote else chunk.section) or f"page {chunk.page}"
