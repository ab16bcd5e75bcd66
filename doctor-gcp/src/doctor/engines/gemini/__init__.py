"""The gemini engine: google-genai on Vertex AI or the Gemini Developer API."""

from doctor.engines.gemini.engine import GeminiEngine

__all__ = ["GeminiEngine"]
