"""The operator's policy: which config keys a run's parameters may set, and when a key may leave the machine.

Anyone who can reach the Prefect API can start a deployment with parameters. Those parameters must not be able
to point the teacher at their own host and have the worker send it a secret from its environment
(`teacher.endpoint` or one of `teacher.endpoints` + `teacher.api_key_env`) or send the prompts to their own Ray
cluster (`teacher.batch.address`), run SQL with the worker's database credentials (`source.query`),
pass flags to vLLM (`launch.extra_args`) or write outside the store (`store.root`). The config *file* is the
operator's (it lives on the worker's machine); a run's parameters may change everything else.

The policy is read from the worker's environment, never from a run: DISTILLERY_POLICY names a YAML file

    run_may_set: [teacher.endpoint]   # keys (or section prefixes ending in '.') the operator lets runs set

and without it the built-in protected list below holds.
"""

import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import urlparse

import yaml

# Dotted keys a run's parameters may not set unless the operator's policy allows them: the source (its URL holds
# credentials, its query is SQL), the store (paths on the worker), where a served model is (endpoint, or the
# teacher's replicas, endpoints) and which secret it gets, vLLM's extra flags and the address it binds, and which
# Ray cluster labels the prompts (teacher.batch.address: the prompts go there).
PROTECTED_PATTERN = r"^(source|store)(\.|$)|\.(endpoints?|api_key_env|extra_args|batch\.address)$|\.launch(\.host)?$"
# The same rule turned into a pattern the allowed keys match, for the deployments' parameter schema (a negative
# lookahead, not JSON-schema `not`: the Prefect UI's form fails on `not`). Its `^` can only match at the start.
ALLOWED_KEY_PATTERN = rf"^(?!.*?(?:{PROTECTED_PATTERN}))"


class PolicyError(ValueError):
    """A run asked for something the operator's policy forbids; nothing was sent or started."""


def allowed_by_operator() -> list[str]:
    path = os.environ.get("DISTILLERY_POLICY")
    if not path:
        return []
    data = yaml.safe_load(Path(path).read_text()) or {}
    return [str(k) for k in data.get("run_may_set", [])]


def is_protected(key: str) -> bool:
    return re.search(PROTECTED_PATTERN, key) is not None


def check_run_keys(keys) -> None:
    """Refuse, naming every offending key, when a run's parameters set protected keys the policy does not allow."""
    allowed = allowed_by_operator()
    refused = [k for k in keys if is_protected(k) and not any(k == a or (a.endswith(".") and k.startswith(a))
                                                             for a in allowed)]
    if refused:
        raise PolicyError(f"run parameters may not set {', '.join(refused)}: the worker's operator policy keeps them "
                          f"(set them in the config file, or allow them in DISTILLERY_POLICY's run_may_set)")


def is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_key_transport(url: str, key_env: str, key: str | None) -> None:
    """A key goes only over https or to this machine; a remote endpoint without its key fails before any request."""
    if key is None:
        if not is_loopback(url):
            raise PolicyError(f"{key_env} is not set in this environment: {url} would answer every request 401; set it "
                              f"where the worker runs (its value is never stored)")
    elif urlparse(url).scheme != "https" and not is_loopback(url):
        raise PolicyError(f"refusing to send ${key_env} to {url} over plain http: use https (or a loopback address)")
