"""Per-asset liabilities of a round, for the reserve ratios: only ever from a round whose proof verifies (SPEC §5).

`verified_liabilities` runs the check `por-verify proof` makes (`verify_round`: public.json through the one
codec, the root binding, every proof file, the security floor) before any total is read, and keeps the digest of
the proof it verified so that every report names it. A public.json alone, or one its proof does not prove, gives
no liabilities: without the proof its totals are only the exchange's say-so.

A margin round's liability per asset is its net: equity minus debt (what users could withdraw once their loans
are repaid), at least zero; its equity, debt and total collateral are carried beside it for the report."""
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from circuits.margin import MarginStatement
from verifier.errors import CheckFailed, InputError
from verifier.formats.public import Public
from verifier.solvency.round import PUBLIC_FILE, verify_round
from verifier.stark.verify import MIN_SECURITY


@dataclass(frozen=True)
class Liability:
    symbol: str  # as OKX's reserves files name coins: upper case (case twins are refused in public.json)
    decimals: int
    total: Fraction
    books: tuple[Fraction, Fraction, Fraction] | None = None  # margin: equity, debt, total collateral


@dataclass(frozen=True)
class LiabilitiesProof:
    """The proof the liabilities were verified against, as a report names it."""

    security_bits: int  # conjectured
    min_security: int  # the floor it was checked against
    zero_knowledge: bool
    sha256: str  # of the proof file(s), concatenated in order: `cat proof.bin | sha256sum` for one proof
    files: tuple[tuple[str, str], ...]  # (file relative to the round directory, its SHA-256)


@dataclass(frozen=True)
class Liabilities:
    round: str
    assets: tuple[Liability, ...]
    proof: LiabilitiesProof


def verified_liabilities(path: str | os.PathLike, min_security: int = MIN_SECURITY,
                         allow_no_zero_knowledge: bool = False) -> Liabilities:
    """The liabilities of the round at `path` (its directory, or the public.json beside its proof files), once its
    proof verifies. CheckFailed if it does not (exit 1), InputError if a file is missing or malformed (exit 2)."""
    round_dir = round_directory(path)
    try:
        verified = verify_round(round_dir, min_security=min_security, allow_no_zero_knowledge=allow_no_zero_knowledge)
    except CheckFailed as error:
        raise CheckFailed(f"liabilities of {round_dir} not verified: {error}") from None
    except InputError as error:
        raise InputError(f"liabilities of {round_dir} not verified: {error}") from None
    proof = LiabilitiesProof(verified.security_bits, min_security, verified.params.zero_knowledge,
                             verified.proof_sha256, verified.proof_digests)
    return Liabilities(verified.statement.round, stated_liabilities(verified.public), proof)


def round_directory(path: str | os.PathLike) -> Path:
    """The round directory a liabilities argument names: the directory itself, or the one holding public.json."""
    path = Path(path)
    if path.is_dir():
        return path
    if path.name == PUBLIC_FILE and path.is_file():
        return path.parent
    if not path.exists():
        raise InputError(f"{path}: no such round directory or {PUBLIC_FILE}")
    raise InputError(f"{path}: expected a round directory, or the {PUBLIC_FILE} beside its proof files")


def stated_liabilities(public: Public) -> tuple[Liability, ...]:
    """Per asset, what public.json states: evidence only once its proof verifies (`verified_liabilities`); the
    reserves generator also sizes its synthetic wallets with it."""
    statement = public.statement
    if isinstance(statement, MarginStatement):
        assets = []
        for (symbol, decimals), e, d, cs in zip(statement.assets, statement.equity, statement.debt,
                                                statement.collateral):
            unit = 10**decimals
            assets.append(Liability(symbol.upper(), decimals, Fraction(max(e - d, 0), unit),
                                    (Fraction(e, unit), Fraction(d, unit), Fraction(sum(cs), unit))))
        return tuple(assets)
    return tuple(Liability(symbol.upper(), decimals, Fraction(total, 10**decimals))
                 for (symbol, decimals), total in zip(statement.assets, statement.totals))
