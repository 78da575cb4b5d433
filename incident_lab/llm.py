"""An agent backed by a language model behind any OpenAI-compatible chat endpoint.

:func:`llm_agent` turns a ``complete(prompt) -> str`` function into an agent: it gathers the
rows the role needs with SQL (retrieve, then reason), asks the model for JSON in the shape of
the role's hand-off, and parses the reply into that pydantic model. :func:`openai_compatible`
makes such a function for an endpoint (vLLM, Ollama, LM Studio, a hosted API)::

    complete = openai_compatible("http://localhost:11434/v1", model="llama3.1")
    cast = make_cast(lineage=llm_agent("lineage", complete))

Nothing here opens a connection until an agent built on ``openai_compatible`` is called; the
kit's tests pass a plain Python function as ``complete``.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable

from .protocol import EXPECTED, ROLES, ProtocolError, Task

CONTEXT = {
    "orchestrator": lambda t: t.query(
        f"SELECT event_date, avg(CASE WHEN {t.incident.column} IS NULL THEN 1.0 ELSE 0.0 END) "
        f"FROM {t.incident.table} GROUP BY 1 ORDER BY 1"
    ),
    "lineage": lambda t: t.query("SELECT job_name, inputs FROM lineage.run_events WHERE event_type = 'COMPLETE'"),
    "source": lambda t: t.query(
        "SELECT table_name, field, change_kind, changed_at FROM ops.api_changes WHERE field = ?", [t.framing.column]
    ),
    "impact": lambda t: t.query("SELECT job_name, inputs FROM lineage.run_events WHERE event_type = 'COMPLETE'"),
    "synthesizer": lambda t: [],
}


def prompt_for(task: Task) -> str:
    """The instruction, the task's facts, the rows retrieved for the role, and the JSON schema to answer in."""
    facts = {
        "alert": vars(task.incident),
        "framing": task.framing.model_dump() if task.framing else None,
        "findings": {k: v.model_dump() for k, v in task.findings.items()},
    }
    schema = EXPECTED[task.role].model_json_schema()
    return (
        f"You are the {task.role} agent investigating a data-quality incident.\n"
        f"Facts: {json.dumps(facts, default=str)}\n"
        f"Rows: {json.dumps(CONTEXT[task.role](task), default=str)}\n"
        f"Answer with one JSON object matching this schema and nothing else: {json.dumps(schema)}"
    )


def llm_agent(role: str, complete: Callable[[str], str]):
    """An agent for ``role`` whose answer comes from ``complete(prompt)``, parsed into the role's model."""
    if role not in ROLES:
        raise ProtocolError(f"{role!r} is not a role; the roles are {', '.join(ROLES)}")

    def agent(task: Task):
        reply = complete(prompt_for(task))
        found = re.search(r"\{.*\}", reply, re.DOTALL)
        if not found:
            raise ProtocolError(f"the {role} model's reply holds no JSON object")
        return EXPECTED[role].model_validate_json(found.group(0))

    agent.__name__ = f"llm_{role}"
    return agent


def openai_compatible(base_url: str, model: str, api_key: str | None = None, timeout: float = 60.0):
    """A ``complete(prompt)`` that posts to ``{base_url}/chat/completions`` (called only when used)."""

    def complete(prompt: str) -> str:
        body = json.dumps({"model": model, "messages": [{"role": "user", "content": prompt}], "temperature": 0})
        headers = {"Content-Type": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        request = urllib.request.Request(f"{base_url.rstrip('/')}/chat/completions", body.encode(), headers)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())["choices"][0]["message"]["content"]

    return complete
