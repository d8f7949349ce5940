"""`por-verify page`: one self-contained HTML file on which a user checks their inclusion proof offline.

Everything the page needs is inlined (the Poseidon2 constants, the hashing, strict JSON and verification scripts), and its
Content-Security-Policy forbids any fetch, so a user can open it from disk and know nothing leaves the machine.
"""
from __future__ import annotations

import json
import os
from importlib import resources

from verifier.formats.atomic import atomic_output

_PARAMS_KEYS = ("width", "sbox_exponent", "half_full_rounds", "partial_rounds", "external_round_constants",
                "internal_round_constants", "mat_internal_diag_m_1", "m4")


def _read(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def _quoted(value):
    """Integers as decimal strings: a JS number would round constants above 2^53."""
    if isinstance(value, list):
        return [_quoted(v) for v in value]
    return str(value) if isinstance(value, int) else value


def _params_script() -> str:
    params = json.loads(_read("params", "poseidon2_goldilocks_w12.json"))
    inlined = {key: _quoted(params[key]) for key in _PARAMS_KEYS}
    return f"globalThis.POSEIDON2_PARAMS = {json.dumps(inlined, separators=(',', ':'))};"


def _script(name: str) -> str:
    source = _read(__name__, name)
    if "</script" in source.lower():
        raise ValueError(f"{name} cannot be inlined: it contains '</script'")
    return source


def render_page() -> str:
    """The complete page as one string; it references no other file or URL."""
    parts = {
        "/*@POSEIDON2_PARAMS@*/": _params_script(),
        "/*@POSEIDON2_JS@*/": _script("poseidon2.js"),
        "/*@STRICT_JSON_JS@*/": _script("strict_json.js"),
        "/*@INCLUSION_JS@*/": _script("inclusion.js"),
    }
    page = _read(__name__, "template.html")
    for placeholder, content in parts.items():
        if page.count(placeholder) != 1:
            raise ValueError(f"template.html must contain {placeholder} exactly once")
        page = page.replace(placeholder, content)
    return page


def write_page(path: str | os.PathLike) -> None:
    """Write the page atomically: a reader never sees a half-written file, even after a crash."""
    with atomic_output(path, permissions=0o644) as stream:
        stream.write(render_page())
