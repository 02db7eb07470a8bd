"""Per-session state is separate, and is freed on unload or after its time-to-live."""
from storage.sessions import SessionStore


def test_sessions_are_isolated_and_dropped_with_their_files(tmp_path):
    store = SessionStore(tmp_path, ttl_s=100)
    freed = []
    store.on_drop(lambda session: freed.append(session.session_hash))
    a, b = store.get("a"), store.get("b")
    a.report = "A's analysis"
    (a.workdir / "upload.pdf").write_text("x")
    assert b.report is None and a.workdir != b.workdir
    assert store.drop("a") and freed == ["a"]
    assert not a.workdir.exists() and "a" not in store and "b" in store


def test_idle_sessions_expire_after_the_ttl(tmp_path):
    store = SessionStore(tmp_path, ttl_s=10)
    old = store.get("old")
    fresh = store.get("fresh")
    assert store.sweep(now=old.last_seen + 5) == []
    fresh.last_seen = old.last_seen + 8
    assert store.sweep(now=old.last_seen + 11) == ["old"]
    assert "fresh" in store and not old.workdir.exists()


def test_session_ids_are_never_paths(tmp_path):
    """A client chooses its own session id: folders are server-made names inside the store's root."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious")
    store = SessionStore(tmp_path / "sessions", ttl_s=100)
    hostile = [str(victim), "../victim", "../../etc", "a/b", "ab", "..", "", "x" * 500]
    folders = {h: store.get(h).workdir for h in hostile if h}
    for folder in folders.values():
        assert folder.parent == store.root and folder.is_dir()
    assert len(set(folders.values())) == len(folders), "two session ids share one folder"
    for session_hash in folders:
        store.drop(session_hash)
    assert (victim / "keep.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sessions", "victim"]
