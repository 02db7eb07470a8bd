"""The shell: a real server starts fast, loads no model and no TensorFlow, and serves every tab."""
from __future__ import annotations

import urllib.request

import app
from settings import Settings, settings_table


def _mapped_libraries(pid: int) -> str:
    with open(f"/proc/{pid}/maps") as maps:
        return maps.read()


def test_server_answers_without_loading_models(app_server):
    with urllib.request.urlopen(app_server.url, timeout=5) as response:
        assert response.status == 200
        assert "Healify" in response.read().decode()
    maps = _mapped_libraries(app_server.process.pid)
    assert "tensorflow" not in maps, "TensorFlow must only be imported when SkinGuard needs it"

    rows = app_server.client().predict(api_name="/models_status")["data"]
    states = {row[0]: row[2] for row in rows}
    assert "Healytics explanations" in states and "Retrieval: HealyChat, knowledge base, red flags" in states
    assert set(states.values()) == {"not loaded"}


def test_settings_read_typed_environment_variables():
    settings = Settings.from_env({"HEALIFY_MAX_UPLOAD_MB": "5", "HEALIFY_WARMUP": "no",
                                  "HEALIFY_OPENAI_TIMEOUT_S": "2.5", "HEALIFY_ASSISTANT_BACKEND": "openai"})
    assert settings.max_upload_mb == 5 and settings.warmup is False
    assert settings.openai_timeout_s == 2.5 and settings.assistant_backend == "openai"
    assert Settings.from_env({}).max_upload_mb == Settings().max_upload_mb


def test_every_knob_is_documented_in_the_readme():
    readme = (app.__file__.rsplit("/", 1)[0] + "/README.md")
    with open(readme) as file:
        text = file.read()
    for line in settings_table().splitlines()[2:]:
        variable = line.split("`")[1]
        assert variable in text, f"{variable} missing from the README configuration table"


def test_cli_lists_the_feature_subcommands():
    parser = app.build_parser()
    for command in ("analyze", "ask", "classify", "eval-skin"):
        assert parser.parse_args([command, "x"] if command != "ask" else
                                 [command, "--doc", "x", "--question", "q"]).command == command
