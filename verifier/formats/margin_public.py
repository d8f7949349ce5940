"""public.json of a margin round (SPEC §1 "Margin policy", §3): the plain document with `policy` an object naming
the policy and its parameters, and asset entries carrying equity, debt and collateral totals.

    "policy": {"name": "margin", "scale": 16, "kinds": ["loan", ...],
               "prices": {"BTC": "6510022000000", ...},            value units (10^-scale USD) per base unit
               "tiers": {"BTC": {"loan": [["100000000000000000000", 100], ...], ...}, ...}}   band tops, percent
    "assets": [{"symbol", "decimals", "equity", "debt", "collateral": {"loan": "...", ...}}]

A sharded margin round's `shards` give each shard's totals as the assets' entries do, keyed by symbol:
`"totals": {"BTC": {"equity", "debt", "collateral": {...}}, ...}`.

Prices and tops are exact integers written as strings; amounts canonical decimal strings at the asset's decimals.
The round header (bound into `root`) names the policy as `margin/1:<kinds>`, which fixes the leaf's slot layout.
"""
from __future__ import annotations

from circuits.margin import MarginStatement, Policy
from verifier.errors import InputError
from verifier.formats.amounts import format_amount
from verifier.formats.fields import Fields

MARGIN = "margin"
_POLICY_KEYS = ("name", "scale", "kinds", "prices", "tiers")


def header_policy(policy: Policy) -> str:
    """The policy as the round header binds it: name, version and the collateral kinds (the slot layout)."""
    return f"{MARGIN}/1:{','.join(policy.kinds)}"


def policy_kinds(policy: object) -> tuple[str, ...] | None:
    """The collateral kinds a header policy string names (`margin/1:<kinds>`), None if it is not one."""
    if not isinstance(policy, str) or not policy.startswith(f"{MARGIN}/1:"):
        return None
    kinds = tuple(policy[len(MARGIN) + 3:].split(","))
    if not all(k.isidentifier() and k.isascii() for k in kinds) or len(set(kinds)) != len(kinds):
        return None
    return kinds


def slots_as_books(slots, assets, kinds) -> dict:
    """A leaf's (or user's) slots shown per asset: equity (free equity plus collateral), debt, collateral."""
    width = 2 + len(kinds)
    books = {}
    for j, (symbol, decimals) in enumerate(assets):
        f, d, *cs = slots[j * width:(j + 1) * width]
        books[symbol] = {"equity": format_amount(f + sum(cs), decimals), "debt": format_amount(d, decimals),
                         "collateral": {kind: format_amount(c, decimals) for kind, c in zip(kinds, cs)}}
    return books


def books_as_slots(field: Fields, key: str, assets, kinds) -> tuple[int, ...]:
    """The inverse of `slots_as_books`, refusing collateral above equity."""
    value = field.data[key]
    symbols = [symbol for symbol, _ in assets]
    field.require(isinstance(value, dict) and list(value) == symbols, key,
                  "must name every asset of the round, in its order")
    slots = []
    for symbol, decimals in assets:
        asset = Fields(field.name, value[symbol], ("equity", "debt", "collateral"), f"{field.prefix}.{key}.{symbol}"
                       if field.prefix else f"{key}.{symbol}")
        kinds_of = Fields(field.name, value[symbol]["collateral"], tuple(kinds), f"{asset.prefix}.collateral")
        e, d = asset.amount("equity", value[symbol]["equity"], decimals), asset.amount("debt", value[symbol]["debt"],
                                                                                         decimals)
        cs = [kinds_of.amount(kind, value[symbol]["collateral"][kind], decimals) for kind in kinds]
        asset.require(sum(cs) <= e, "collateral", "is above the equity")
        slots += [e - sum(cs), d, *cs]
    return tuple(slots)


def margin_assets(statement: MarginStatement) -> list[dict]:
    kinds = statement.policy.kinds
    return [{"symbol": symbol, "decimals": decimals, "equity": format_amount(e, decimals),
             "debt": format_amount(d, decimals),
             "collateral": {kind: format_amount(c, decimals) for kind, c in zip(kinds, cs)}}
            for (symbol, decimals), e, d, cs in zip(statement.assets, statement.equity, statement.debt,
                                                    statement.collateral)]


def policy_document(statement: MarginStatement) -> dict:
    p, symbols = statement.policy, [symbol for symbol, _ in statement.assets]
    return {"name": MARGIN, "scale": p.scale, "kinds": list(p.kinds),
            "prices": {symbol: str(price) for symbol, price in zip(symbols, p.prices)},
            "tiers": {symbol: {kind: [[str(top), ratio] for top, ratio in tiers] for kind, tiers in zip(p.kinds, lists)}
                      for symbol, lists in zip(symbols, p.tiers)}}


def parse_margin(field: Fields, round_name: str, leaves: int, tree_root) -> MarginStatement:
    """The statement of a margin public.json (its `policy` object and `assets` entries)."""
    name = field.name
    policy = Fields(name, field.data["policy"], _POLICY_KEYS, "policy")
    policy.require(field.data["policy"]["name"] == MARGIN, "name", f"must be {MARGIN!r}")
    scale = policy.integer("scale")
    kinds = field.data["policy"]["kinds"]
    policy.require(isinstance(kinds, list) and kinds and all(isinstance(k, str) and k.isidentifier() for k in kinds)
                   and len(set(kinds)) == len(kinds), "kinds", "must be a non-empty list of distinct names")
    entries = field.data["assets"]
    field.require(isinstance(entries, list) and entries, "assets", "must be a non-empty list")
    assets, equity, debt, collateral = [], [], [], []
    for j, entry in enumerate(entries):
        asset = Fields(name, entry, ("symbol", "decimals", "equity", "debt", "collateral"), f"assets[{j}]")
        symbol, decimals = asset.symbol("symbol"), asset.decimals("decimals")
        assets.append((symbol, decimals))
        equity.append(asset.amount("equity", entry["equity"], decimals))
        debt.append(asset.amount("debt", entry["debt"], decimals))
        kinds_of = Fields(name, entry["collateral"], tuple(kinds), f"assets[{j}].collateral")
        collateral.append(tuple(kinds_of.amount(kind, entry["collateral"][kind], decimals) for kind in kinds))
    field.require(len({s.casefold() for s, _ in assets}) == len(assets), "assets",
                  "lists a symbol twice (symbols may not differ only in case)")
    symbols = tuple(symbol for symbol, _ in assets)
    prices = Fields(name, field.data["policy"]["prices"], symbols, "policy.prices")
    tiers = Fields(name, field.data["policy"]["tiers"], symbols, "policy.tiers")
    try:
        parsed = Policy(scale, tuple(_integer(prices, s) for s in symbols), tuple(kinds),
                        tuple(_tier_lists(tiers, s, kinds) for s in symbols))
        return MarginStatement(round_name, tuple(assets), leaves, tree_root, tuple(equity), tuple(debt),
                               tuple(collateral), parsed)
    except ValueError as error:
        raise InputError(f"{name}: {error}") from None


def _integer(field: Fields, key: str) -> int:
    value = field.data[key]
    field.require(isinstance(value, str) and value.isdigit() and value.isascii() and (value == "0" or value[0] != "0")
                  and len(value) <= 40, key, "must be a canonical integer string")
    return int(value)


def _tier_lists(field: Fields, symbol: str, kinds: list[str]) -> tuple:
    lists = Fields(field.name, field.data[symbol], tuple(kinds), f"{field.prefix}.{symbol}")
    result = []
    for kind in kinds:
        bands = lists.data[kind]
        lists.require(isinstance(bands, list), kind, "must be a list of [top, percent] pairs")
        parsed = []
        for band in bands:
            lists.require(isinstance(band, list) and len(band) == 2 and type(band[1]) is int, kind,
                          "must be a list of [top, percent] pairs")
            pair = Fields(field.name, {"top": band[0]}, ("top",), f"{lists.prefix}.{kind}")
            parsed.append((_integer(pair, "top"), band[1]))
        result.append(tuple(parsed))
    return tuple(result)
