"""The embedded LLM and embedder, offline, through the same loader that serves hub ids and folders."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from models.llm import adapter_available, load_base_model, load_llm
from models.registry import ModelRegistry, ModelUnavailable, get_assistant_llm, get_embedder
from settings import Settings

pytestmark = pytest.mark.slow
MESSAGES = [{"role": "user", "content": "Name one fruit."}]


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    import os
    return Settings(data_dir=str(tmp_path_factory.mktemp("data")), cache_dir=os.environ["HEALIFY_CACHE_DIR"],
                    report_adapter="")


def test_embedded_llm_answers_offline_and_streams(settings):
    llm = get_assistant_llm(settings)
    deltas = list(llm.stream_chat(MESSAGES, max_new_tokens=24))
    assert len(deltas) > 1, "generation must stream in several pieces"
    assert "".join(deltas).strip()
    assert llm.last_stats.new_tokens > 0


def test_gguf_conversion_is_cached_as_plain_safetensors(settings):
    model, _, folder = load_base_model("embedded", settings)
    assert folder.startswith(settings.cache_dir)
    assert not getattr(model, "is_quantized", False) and getattr(model, "hf_quantizer", None) is None
    assert list(__import__("pathlib").Path(folder).glob("*.safetensors"))


def test_lora_adapter_folder_goes_through_the_same_path(settings, tmp_path):
    from peft import LoraConfig, get_peft_model

    base, tokenizer, _ = load_base_model("embedded", settings)
    peft_model = get_peft_model(base, LoraConfig(r=2, lora_alpha=4, target_modules=["q_proj", "v_proj"]))
    peft_model.save_pretrained(tmp_path / "adapter")
    assert adapter_available(str(tmp_path / "adapter"))
    llm = load_llm("embedded", str(tmp_path / "adapter"), settings)
    assert "LoRA adapter" in llm.source
    assert llm.chat(MESSAGES, max_new_tokens=8)


def test_unreachable_hub_id_gives_a_clear_error_not_a_crash(settings):
    registry = ModelRegistry()
    with pytest.raises(ModelUnavailable, match="could not be loaded"):
        registry.get_or_load("x", lambda: load_llm("meta-llama/Llama-3.2-1B-Instruct", "", settings),
                             feature="test", source="hub id")
    assert registry.status()[0].state == "failed"


def test_concurrent_generations_do_not_corrupt_each_other(settings):
    llm = get_assistant_llm(settings)
    prompts = [[{"role": "user", "content": "Name one fruit."}], [{"role": "user", "content": "Name one colour."}]]
    expected = [llm.chat(p, max_new_tokens=16) for p in prompts]
    results: dict[int, str] = {}
    threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, llm.chat(prompts[i], max_new_tokens=16)))
               for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[0], results[1]] == expected


def test_stopping_a_stream_frees_the_model(settings):
    llm = get_assistant_llm(settings)
    stop = threading.Event()
    stream = llm.stream_chat([{"role": "user", "content": "Tell me a long story."}], max_new_tokens=200, stop=stop)
    next(stream)
    stop.set()
    rest = "".join(stream)
    assert llm.last_stats.new_tokens < 200 and isinstance(rest, str)
    assert llm.chat(MESSAGES, max_new_tokens=4)  # the lock was released


def test_embedder_encodes_offline_with_meaningful_similarity(settings):
    embedder = get_embedder(settings)
    vectors = embedder.encode(["my haemoglobin is low", "anaemia and low hemoglobin", "the train leaves at noon"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_concurrent_first_loads_convert_the_gguf_once(tmp_path):
    from models.llm import convert_gguf, embedded_gguf

    folders, errors = [], []

    def convert():
        try:
            folders.append(convert_gguf(embedded_gguf(), tmp_path))
        except Exception as error:  # the race this test guards against raised here
            errors.append(error)

    threads = [threading.Thread(target=convert) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(set(folders)) == 1
    assert [p.name for p in (tmp_path / "llm").iterdir() if p.is_dir()] == [folders[0].name]


def test_two_different_models_loading_at_once_both_succeed(settings):
    registry = ModelRegistry()
    loaded, errors = {}, []

    def load(key, adapter):
        try:
            loaded[key] = registry.get_or_load(key, lambda: load_llm("embedded", adapter, settings),
                                               feature=key, source="embedded")
        except ModelUnavailable as error:
            errors.append(error)

    threads = [threading.Thread(target=load, args=("a", "")),
               threading.Thread(target=load, args=("b", ""))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and set(loaded) == {"a", "b"}
