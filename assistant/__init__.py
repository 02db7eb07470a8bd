"""Medical assistant: chat backends (local, hf, OpenAI-compatible), grounded streamed replies."""
