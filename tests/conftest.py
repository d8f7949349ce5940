"""Tests mirror the packages (circuits/, verifier/, prover/engine|exchange|reserves); the helpers they share
(toy_airs, page_fixtures, public_fixtures, paths) stay in this folder, which pytest puts on sys.path."""
