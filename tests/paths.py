"""Where the tests find the repository and SPEC's shared vectors (`../shared/vectors`, beside the checkout)."""
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VECTORS = REPO.parent / "shared" / "vectors"
