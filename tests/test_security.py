"""Abuse and privacy through the real app's API (gradio_client, httpx and a real MCP client): the served config,
the MCP tool list, uploads deleted with their session, every input limit, and logout clearing the tabs."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from tabs.api import TOOLS

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
pytestmark = pytest.mark.slow


def test_served_config_keeps_no_history_and_mcp_lists_exactly_the_tools(app_server):
    config = httpx.get(f"{app_server.url}config", timeout=10).json()
    assert config["run_history"] is False and config["show_error"] is False
    schema = httpx.get(f"{app_server.url}gradio_api/mcp/schema", timeout=10).json()
    assert sorted(tool["name"] for tool in schema) == sorted(TOOLS)
    assert all(len(tool["description"]) > 60 for tool in schema)  # each explains its arguments and output


def test_a_real_mcp_client_calls_a_tool(app_server):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    async def call():
        async with streamablehttp_client(f"{app_server.url}gradio_api/mcp/") as (read, write, _), \
                ClientSession(read, write) as session:
            await session.initialize()
            names = [tool.name for tool in (await session.list_tools()).tools]
            result = await session.call_tool("emergency_check", {"message": "I have crushing chest pain"})
            return names, result.content[0].text

    names, text = asyncio.run(call())
    assert sorted(names) == sorted(TOOLS)
    assert "'emergency': True" in text or '"emergency": true' in text


def test_uploads_are_deleted_when_their_session_ends(make_server, tmp_path):
    from gradio_client import handle_file

    cache = tmp_path / "gradio-cache"
    server = make_server(HEALIFY_SESSION_TTL_S="20", GRADIO_TEMP_DIR=str(cache))
    record = tmp_path / "my_private_record.txt"
    record.write_text("Discharge letter. Hemoglobin 9.1 g/dL. Started ferrous sulfate 325 mg daily.\n")
    client = server.client()
    client.predict([handle_file(str(record))], api_name="/healychat_upload")
    uploaded = list(cache.rglob("my_private_record.txt"))
    assert uploaded, "the upload should be in Gradio's cache while the session lives"
    url = f"{server.url}gradio_api/file={uploaded[0]}"
    assert httpx.get(url, timeout=10).status_code == 200
    client.close()
    deadline = time.monotonic() + 90
    while uploaded[0].exists() and time.monotonic() < deadline:
        time.sleep(1)
    assert not uploaded[0].exists()
    assert httpx.get(url, timeout=10).status_code in (403, 404)


def test_every_input_limit_answers_with_one_clear_line(app_server, tmp_path):
    from gradio_client import handle_file

    client = app_server.client()
    one_line = tmp_path / "one_line.txt"
    one_line.write_text("Glucose 5.1 mmol/L (3.9-5.5) " * 180_000)  # a 5 MB single line
    started = time.monotonic()
    status = client.predict(handle_file(str(one_line)), api_name="/healytics_analyze")[0]
    assert "characters" in status and "⚠️" in status
    assert time.monotonic() - started < 60, "refused only after heavy work"

    huge_photo = tmp_path / "huge.png"
    from PIL import Image
    Image.new("RGB", (8000, 6000), (200, 180, 170)).save(huge_photo)
    status = client.predict(handle_file(str(huge_photo)), api_name="/healytics_analyze")[0]
    assert "too large" in status and "megapixels" in status

    reply = client.predict("why" + "?" * 99_997, None, api_name="/assistant_send")[1][-1]["content"]
    text = reply if isinstance(reply, str) else " ".join(part["text"] for part in reply)
    assert "too long" in text and "100,000" in text

    other = app_server.client()  # the app keeps answering other people
    started = time.monotonic()
    assert other.predict("What is a normal blood pressure?", api_name="/emergency_check")["emergency"] is False
    assert time.monotonic() - started < 10


def test_logging_out_clears_the_previous_users_analysis(app_server):
    from gradio_client import handle_file

    client = app_server.client()
    client.predict("Ann", "ann.logout@example.org", "correct horse", api_name="/register")
    client.predict(handle_file(str(SAMPLES / "us_table_report.pdf")), api_name="/healytics_analyze")
    client.predict(api_name="/logout")
    assert client.predict(api_name="/healytics_add_to_healychat") == "Analyse a report first."


def test_registration_does_not_reveal_a_taken_email(app_server):
    first, second = app_server.client(), app_server.client()
    first.predict("Ann", "ann.taken@example.org", "correct horse", api_name="/register")
    status = second.predict("Eve", "ann.taken@example.org", "another password", api_name="/register")[0]
    assert "exist" not in status.lower() and "log in" in status.lower()
