"""Screenshot of the offline verification page showing a VALID verdict, for the README (docs/verify-page.png).

Uses the tests' small Python-built round (a user whose balances are split over three leaves) and Debian's
chromium through Playwright:  python scripts/page_screenshot.py [--out docs/verify-page.png]
"""
import argparse
import json
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the fixtures builder lives with the tests

from page_fixtures import build_round  # noqa: E402

from verifier.page import write_page  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "verify-page.png")
    args = parser.parse_args()
    public, proofs = build_round()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        page_path = Path(tmp) / "verify.html"
        write_page(page_path)
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 960, "height": 800}, device_scale_factor=1)
        page.goto(page_path.as_uri())
        page.fill("#proof-text", json.dumps(proofs["bob"], indent=1))
        page.fill("#root-text", public["root"])
        page.click("#verify")
        page.eval_on_selector("#proof-text", "area => { area.scrollTop = 0; }")
        if page.inner_text("#verdict-word") != "VALID":
            raise SystemExit(f"expected VALID, got: {page.inner_text('#verdict')}")
        page.screenshot(path=str(args.out), full_page=True)
        browser.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
