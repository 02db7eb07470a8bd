"""SkinGuard: classifier use, verdict, condition cards, image chat, eval/classify CLI and metrics."""
