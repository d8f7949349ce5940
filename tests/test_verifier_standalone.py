"""The verifier stands alone: loading every verifier module, and verifying, never imports the prover."""
import subprocess
import sys
from pathlib import Path

VERIFIER = Path(__file__).resolve().parents[1] / "verifier"


def test_no_verifier_module_imports_the_prover():
    modules = sorted("verifier." + ".".join(p.relative_to(VERIFIER).with_suffix("").parts)
                     for p in VERIFIER.rglob("*.py") if p.name != "__init__.py")
    code = ("import importlib, sys\n"
            f"for name in {modules!r}: importlib.import_module(name)\n"
            "leaked = sorted(m for m in sys.modules if m == 'prover' or m.startswith('prover.'))\n"
            "print(','.join(leaked))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert len(modules) > 10
    assert result.stdout.strip() == "", f"verifier modules import {result.stdout.strip()}"
