"""`por research` without the installed entry point: python scripts/research.py --out docs/research [options]."""
from prover.cli.research import research

if __name__ == "__main__":
    research()
