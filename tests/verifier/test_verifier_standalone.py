"""The verifier stands alone: loading every verifier and circuits module never imports the prover nor numba, and
`por-verify proof` loads only what checking a proof needs (no numpy, no elliptic-curve libraries)."""
import subprocess
import sys

from paths import REPO

ROOT = REPO


def _modules(package: str) -> list[str]:
    folder = ROOT / package
    return sorted(".".join((package, *p.relative_to(folder).with_suffix("").parts)).removesuffix(".__init__")
                  for p in folder.rglob("*.py"))


def _loaded_after(statements: str, prefixes: tuple[str, ...]) -> list[str]:
    code = (f"import sys\n{statements}\n"
            f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {prefixes!r})))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return [m for m in result.stdout.strip().split(",") if m]


def test_no_verifier_or_circuits_module_imports_the_prover_or_numba():
    modules = _modules("verifier") + _modules("circuits")
    assert len(modules) > 30
    loaded = _loaded_after(f"import importlib\nfor name in {modules!r}: importlib.import_module(name)",
                           ("prover", "numba"))
    assert loaded == [], f"verifier or circuits modules import {loaded}"


def test_checking_a_proof_loads_no_numpy_nor_curve_libraries():
    statements = ("from verifier.cli import main\nmain.get_command(None, 'proof')\n"
                  "import verifier.solvency.round, verifier.solvency.inclusion")
    assert _loaded_after(statements, ("numpy", "numba", "py_ecc", "coincurve", "matplotlib", "prover")) == []
