"""The student's prompt shape: the user content behind a route tag, without the production system prompt.

The student learns each route's behaviour from examples, so the several-hundred-token system prompt
the teacher needed is not sent at all. Training, evaluation and serving all build prompts here, so
the shape the adapter was trained on is the shape it is served with.
"""

import hashlib

SHAPE_VERSION = "route-tag-v1"


def student_messages(route: str, user: str) -> list[dict]:
    return [{"role": "user", "content": f"[{route}]\n{user}"}]


def template_hash(system_prompt: str) -> str:
    """Identifies the removed system prompt (stored with the dataset and, later, the adapter)."""
    return hashlib.sha256(system_prompt.encode()).hexdigest()[:16]
