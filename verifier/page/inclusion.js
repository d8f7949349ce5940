/* Verification of a `por-inclusion/2` proof against a published root (SPEC §1 item 4, §3), in the browser.
 *
 * verifyInclusion(proof, published) returns {valid, reason, ...} for any input (JSON text, read by strict_json.js
 * with the grammar of verifier/formats/strict_json.py; a refusal says at which stage, `refusedBy`). `valid` is
 * true only when every entry's path reaches one tree root T (entry k's leaf committing to its position k of the
 * K entries), the round binding of T with the file's header gives the file's root, and that root is the one the
 * user obtained independently (a hex string, or public.json). Without a published root the result is
 * {valid: false, needsRoot: true}: a proof only agreeing with itself proves nothing.
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) {
    module.exports = factory(require('./poseidon2.js'), require('./strict_json.js'));
  } else {
    root.PorInclusion = factory(root.Poseidon2, root.StrictJson);
  }
})(typeof globalThis !== 'undefined' ? globalThis : this, function (Poseidon2, StrictJson) {
  'use strict';

  const FORMAT = 'por-inclusion/2';
  const RETIRED_FORMAT = 'por-inclusion/1';
  const PUBLIC_FORMAT = 'por-public/1';
  const POLICIES = ['plain']; // and the margin policy, "margin/1:<kinds>" (marginKinds)
  const MARGIN_POLICY = /^margin\/1:([A-Za-z_][A-Za-z0-9_]*(?:,[A-Za-z_][A-Za-z0-9_]*)*)$/;
  const BOOK_KEYS = ['equity', 'debt', 'collateral'];
  const SLOT_BOUND = 1n << 62n; // margin slots (free equity, debt, collateral) are below 2^62
  const PROOF_KEYS = ['format', 'round', 'policy', 'assets', 'leaves', 'root', 'user_id', 'balances', 'entries'];
  const ASSET_KEYS = ['symbol', 'decimals'];
  const ENTRY_KEYS = ['index', 'nonce', 'balances', 'siblings'];
  const MAX_DECIMALS = 18;
  const MAX_LEAVES = 2 ** 31; // circuits.solvency.MAX_LEAVES
  const MAX_ENTRIES = 1024;
  const BALANCE_BOUND = 1n << 63n;
  const MAX_AMOUNT_CHARS = 100;
  const CANONICAL_AMOUNT = /^(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$/;
  const NONCE_HEX = /^[0-9a-f]{64}$/;
  const SYMBOL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
  const PRINTABLE = /^(?:[^\p{C}\p{Z}]| )+$/u; // Python's str.isprintable, as the Python verifier checks text

  /** A failed check: its message is the one-line reason shown to the user; `refusedBy` says at which stage, as
   * the Python verifier tells them apart: 'json' and 'format' are malformed input (its InputError, exit 2),
   * 'check' a well-formed proof that does not prove its claim (CheckFailed, exit 1). */
  class Invalid extends Error {}

  function check(condition, reason) {
    if (!condition) throw new Invalid(reason);
  }

  /** Run `step`, marking an Invalid it throws as refused by `stage` unless an inner step already said. */
  function stage(name, step) {
    try {
      return step();
    } catch (error) {
      if (error instanceof Invalid && error.refusedBy === undefined) error.refusedBy = name;
      throw error;
    }
  }

  /** A value from the file, for a message: JSON.stringify throws on BigInt, and `${x}` on an object whose keys
   * include "toString". */
  function shown(value) {
    if (typeof value === 'string') return JSON.stringify(value);
    if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return String(value);
    return value === null ? 'null' : Array.isArray(value) ? 'a list' : 'an object';
  }

  const isObject = (x) => typeof x === 'object' && x !== null && !Array.isArray(x);

  /** The grammar of verifier/formats/strict_json.py (StrictJson): JSON.parse would blur 475 and 475.0. */
  function parseJson(input, what) {
    check(typeof input === 'string', `${what} must be JSON text`);
    return stage('json', () => {
      try {
        return StrictJson.parse(input);
      } catch (error) {
        if (!(error instanceof StrictJson.StrictJsonError)) throw error;
        throw new Invalid(`${what} is not valid JSON (${error.message})`);
      }
    });
  }

  /** Exactly `keys`, no more, no fewer: an unknown key could carry a claim nothing here checks. */
  function checkKeys(object, keys, where) {
    check(isObject(object), `${where} must be a JSON object`);
    const missing = keys.filter((k) => !Object.prototype.hasOwnProperty.call(object, k));
    check(missing.length === 0, `${where} is missing "${missing[0]}"`);
    const extra = StrictJson.keysOf(object).filter((k) => !keys.includes(k));
    check(extra.length === 0, `${where} has an unexpected key ${shown(extra[0])}`);
  }

  function text(value, where) {
    check(typeof value === 'string' && PRINTABLE.test(value), `${where} must be a non-empty printable string`);
    return value;
  }

  /** A JSON integer (StrictJson reads it as a BigInt; 475.0 or 475e0 is a Number, not an integer) in min..max. */
  function integer(value, min, max, where) {
    check(typeof value === 'bigint' && value >= BigInt(min) && value <= BigInt(max),
      `${where} must be an integer in ${min}..${max}`);
    return Number(value);
  }

  function digest(value, where) {
    const parsed = Poseidon2.digestFromHex(value);
    check(parsed !== null, `${where} must be 64 hex characters encoding 4 field elements below p`);
    return parsed;
  }

  /** SPEC §3's canonical decimal string -> exact base units (BigInt); floats never touch an amount. */
  function parseAmount(value, decimals, where) {
    check(typeof value === 'string' && value.length <= MAX_AMOUNT_CHARS && CANONICAL_AMOUNT.test(value),
      `${where} is not a canonical decimal amount: ${shown(value)}`);
    const [whole, fraction = ''] = value.split('.');
    check(fraction.length <= decimals, `${where} has more than ${decimals} decimals: "${value}"`);
    return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
  }

  function formatAmount(units, decimals) {
    const scale = 10n ** BigInt(decimals);
    const whole = (units / scale).toString();
    const fraction = (units % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
    return fraction ? `${whole}.${fraction}` : whole;
  }

  /** Exact for any safe integer (bitwise operators would truncate to 32 bits). */
  function isPowerOfTwo(n) {
    while (n > 1 && n % 2 === 0) n /= 2;
    return n === 1;
  }

  function parseAssets(value) {
    check(Array.isArray(value) && value.length > 0, '"assets" must be a non-empty list');
    const seen = new Set();
    return value.map((asset, k) => {
      checkKeys(asset, ASSET_KEYS, `assets[${k}]`);
      const symbol = asset.symbol;
      check(typeof symbol === 'string' && SYMBOL.test(symbol),
        `assets[${k}].symbol must be an asset symbol such as "BTC"`);
      check(!seen.has(symbol.toUpperCase()), `asset symbol "${symbol}" appears twice (case ignored)`);
      seen.add(symbol.toUpperCase());
      return { symbol, decimals: integer(asset.decimals, 0, MAX_DECIMALS, `assets[${k}].decimals`) };
    });
  }

  /** The collateral kinds of a margin policy string, or null. */
  function marginKinds(policy) {
    const match = MARGIN_POLICY.exec(policy);
    if (!match) return null;
    const kinds = match[1].split(',');
    return new Set(kinds).size === kinds.length ? kinds : null;
  }

  /** A balances object naming exactly the round's assets, in its order -> base units per asset; under the margin
   * policy each asset is {equity, debt, collateral: {kind: amount}} -> the leaf's slots: per asset equity minus
   * collateral, debt, collateral per kind. */
  function parseBalances(value, assets, where, kinds) {
    check(isObject(value), `${where} must be a JSON object`);
    const symbols = assets.map((a) => a.symbol);
    check(JSON.stringify(StrictJson.keysOf(value)) === JSON.stringify(symbols),
      `${where} must name exactly the assets ${symbols.join(', ')}, in that order`);
    if (!kinds) return assets.map((a) => parseAmount(value[a.symbol], a.decimals, `${where}.${a.symbol}`));
    return assets.flatMap((a) => {
      const at = `${where}.${a.symbol}`;
      const book = value[a.symbol];
      checkKeys(book, BOOK_KEYS, at);
      checkKeys(book.collateral, kinds, `${at}.collateral`);
      const equity = parseAmount(book.equity, a.decimals, `${at}.equity`);
      const debt = parseAmount(book.debt, a.decimals, `${at}.debt`);
      const collateral = kinds.map((k) => parseAmount(book.collateral[k], a.decimals, `${at}.collateral.${k}`));
      const pledged = collateral.reduce((x, y) => x + y, 0n);
      check(pledged <= equity, `${at}: collateral is above the equity`);
      return [equity - pledged, debt, ...collateral];
    });
  }

  function parseEntry(entry, k, proof) {
    const where = `entries[${k}]`;
    checkKeys(entry, ENTRY_KEYS, where);
    const index = integer(entry.index, 0, proof.leaves - 1, `${where}.index`);
    check(typeof entry.nonce === 'string' && NONCE_HEX.test(entry.nonce),
      `${where}.nonce must be 64 lowercase hex characters`);
    const balances = parseBalances(entry.balances, proof.assets, `${where}.balances`, proof.kinds);
    const depth = Math.log2(proof.leaves);
    check(Array.isArray(entry.siblings) && entry.siblings.length === depth,
      `${where}.siblings must list ${depth} digests (the tree of ${proof.leaves} leaves is ${depth} deep)`);
    const siblings = entry.siblings.map((s, j) => digest(s, `${where}.siblings[${j}]`));
    const nonce = entry.nonce.match(/../g).map((h) => parseInt(h, 16));
    return { index, nonce, balances, siblings };
  }

  function parseProof(data) {
    check(!(isObject(data) && data.format === RETIRED_FORMAT), `format ${RETIRED_FORMAT} is refused: it binds ` +
      `neither the round nor how many leaves a user has; ask the exchange for the ${FORMAT} proof`);
    checkKeys(data, PROOF_KEYS, 'the inclusion proof');
    check(data.format === FORMAT, `unsupported format ${shown(data.format)}: this page reads "${FORMAT}"`);
    const proof = { round: text(data.round, '"round"'), policy: text(data.policy, '"policy"') };
    proof.kinds = marginKinds(proof.policy);
    check(POLICIES.includes(proof.policy) || proof.kinds, `policy "${proof.policy}" is not supported by this page`);
    proof.assets = parseAssets(data.assets);
    proof.leaves = integer(data.leaves, 2, MAX_LEAVES, '"leaves"');
    check(isPowerOfTwo(proof.leaves), '"leaves" must be a power of two');
    proof.root = digest(data.root, '"root"');
    proof.userId = text(data.user_id, '"user_id"');
    proof.total = parseBalances(data.balances, proof.assets, '"balances"', proof.kinds);
    check(Array.isArray(data.entries) && data.entries.length > 0 && data.entries.length <= MAX_ENTRIES,
      `"entries" must list at least one leaf and at most ${MAX_ENTRIES}`);
    proof.entries = data.entries.map((entry, k) => parseEntry(entry, k, proof));
    const indices = new Set(proof.entries.map((e) => e.index));
    check(indices.size === proof.entries.length, 'two entries name the same leaf index');
    return proof;
  }

  /** The root the user obtained elsewhere: 64 hex chars, or public.json (whose header must match the proof's). */
  function publishedRoot(input, proof) {
    const trimmed = typeof input === 'string' ? input.trim() : input;
    if (typeof trimmed === 'string' && !trimmed.startsWith('{')) {
      return stage('format', () => digest(trimmed, 'the published root'));
    }
    const pub = parseJson(input, 'public.json');
    check(isObject(pub) && pub.format === PUBLIC_FORMAT, `public.json must have format "${PUBLIC_FORMAT}"`);
    check(pub.round === proof.round, `the proof is for round "${proof.round}", public.json for ${shown(pub.round)}`);
    const pubPolicy = isObject(pub.policy) && Array.isArray(pub.policy.kinds) &&
      pub.policy.kinds.every((k) => typeof k === 'string')
      ? `margin/1:${pub.policy.kinds.join(',')}` : pub.policy; // a margin round's policy object, as its header has it
    check(pubPolicy === undefined || pubPolicy === proof.policy,
      `the proof uses policy "${proof.policy}", public.json ${shown(pubPolicy)}`);
    check(pub.leaves === BigInt(proof.leaves),
      `the proof's tree has ${proof.leaves} leaves, public.json's ${shown(pub.leaves)}`);
    const sameAsset = (a, j) => isObject(a) && a.symbol === proof.assets[j].symbol &&
      a.decimals === BigInt(proof.assets[j].decimals);
    const sameAssets = Array.isArray(pub.assets) && pub.assets.length === proof.assets.length &&
      pub.assets.every(sameAsset);
    check(sameAssets, 'the proof\'s asset list (symbols, decimals, order) differs from public.json\'s');
    return digest(pub.root, 'public.json "root"');
  }

  /** Every balance below the circuit's range bound: out of range is a failed check, as in the Python verifier. */
  function checkBounds(proof) {
    proof.entries.forEach((entry, k) => {
      if (proof.kinds) {
        check(entry.balances.every((units) => units < SLOT_BOUND),
          `entries[${k}].balances: an amount is not below 2^62 base units`);
      } else {
        entry.balances.forEach((units, j) => check(units < BALANCE_BOUND,
          `entries[${k}].balances.${proof.assets[j].symbol} is not below 2^63 base units`));
      }
    });
  }

  function sameDigest(a, b) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }

  /** Every entry's leaf, walked up its path; all must meet at one tree root T. Entry k's id commitment binds its
   * position (k, K = the number of entries), so a leaf missing, repeated, reordered or borrowed cannot meet. */
  function treeRoot(proof) {
    let reached = null;
    const count = proof.entries.length;
    proof.entries.forEach((entry, k) => {
      const idc = Poseidon2.hashId(proof.userId, entry.nonce, k, count);
      const node = Poseidon2.rootFromPath(Poseidon2.hashLeaf(idc, entry.balances), entry.index, entry.siblings);
      check(reached === null || sameDigest(node, reached),
        `entry ${k}'s path reaches another tree root than entry 0's (wrong balances, nonce, index or siblings, ` +
        `or a leaf missing, repeated, out of order or another user's)`);
      reached = node;
    });
    return reached;
  }

  function checkSum(proof) {
    if (proof.kinds) {
      const added = proof.total.map((_, j) => proof.entries.reduce((acc, e) => acc + e.balances[j], 0n));
      check(added.every((units, j) => units === proof.total[j]),
        '"balances": the equity, debt or collateral stated is not what the entries add up to');
      return;
    }
    proof.assets.forEach((asset, j) => {
      const sum = proof.entries.reduce((acc, e) => acc + e.balances[j], 0n);
      check(sum === proof.total[j], `"balances".${asset.symbol} is ${formatAmount(proof.total[j], asset.decimals)}, ` +
        `but the entries add up to ${formatAmount(sum, asset.decimals)}`);
    });
  }

  /** One asset's balance as shown: the amount, or under the margin policy its equity, debt and collateral. */
  function amountText(proof, asset, j) {
    if (!proof.kinds) return formatAmount(proof.total[j], asset.decimals);
    const width = 2 + proof.kinds.length;
    const [free, debt, ...collateral] = proof.total.slice(j * width, (j + 1) * width);
    const pledged = collateral.reduce((x, y) => x + y, 0n);
    const f = (units) => formatAmount(units, asset.decimals);
    return `equity ${f(free + pledged)}, debt ${f(debt)}, collateral ` +
      proof.kinds.map((k, q) => `${k} ${f(collateral[q])}`).join(', ');
  }

  function summary(proof) {
    return {
      userId: proof.userId,
      round: proof.round,
      policy: proof.policy,
      leaves: proof.leaves,
      root: Poseidon2.digestToHex(proof.root),
      entries: proof.entries.length,
      balances: proof.assets.map((a, j) => ({ symbol: a.symbol, amount: amountText(proof, a, j) })),
    };
  }

  function verify(proofInput, publishedInput) {
    const data = parseJson(proofInput, 'the inclusion proof');
    const proof = stage('format', () => parseProof(data));
    checkBounds(proof);
    checkSum(proof);
    const reached = Poseidon2.hashRound(treeRoot(proof), proof.round, proof.policy, proof.leaves, proof.assets);
    check(sameDigest(reached, proof.root), 'the paths and the round header (round, policy, leaves, assets) ' +
      'do not lead to the root named in the file: the proof was altered');
    const hasPublished = publishedInput !== undefined && publishedInput !== null &&
      !(typeof publishedInput === 'string' && publishedInput.trim() === '');
    if (!hasPublished) {
      return Object.assign(summary(proof), { valid: false, needsRoot: true, reason: 'the proof is consistent, ' +
        'but not yet checked against a published root: paste the root or public.json' });
    }
    check(sameDigest(publishedRoot(publishedInput, proof), proof.root),
      'the proof does not lead to the published root: it is not part of this round\'s liabilities');
    return Object.assign(summary(proof), { valid: true, needsRoot: false,
      reason: 'your balances are included in the liabilities committed to by the published root' });
  }

  /** Malformed input and failed checks become {valid: false, reason}; only a bug in this page throws. */
  function verifyInclusion(proofInput, publishedInput) {
    try {
      return stage('check', () => verify(proofInput, publishedInput));
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return { valid: false, needsRoot: false, reason: error.message, refusedBy: error.refusedBy };
    }
  }

  return Object.freeze({ verifyInclusion, parseAmount, formatAmount });
});
