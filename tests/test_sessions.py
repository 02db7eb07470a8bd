"""Per-session state is separate, and is freed on unload or after its time-to-live."""
from storage.sessions import SessionStore


def test_sessions_are_isolated_and_dropped_with_their_files(tmp_path):
    store = SessionStore(tmp_path, ttl_s=100)
    freed = []
    store.on_drop(lambda session: freed.append(session.session_hash))
    a, b = store.get("a"), store.get("b")
    a.items["index"] = "A's index"
    (a.workdir / "upload.pdf").write_text("x")
    assert "index" not in b.items and a.workdir != b.workdir
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
