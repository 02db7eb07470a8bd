"""Lazily loaded models: the report/assistant LLM, the sentence embedder and the SkinGuard CNN."""
