/* Poseidon2 over Goldilocks (width 12, x^7, 4 + 22 + 4 rounds) and the solvency tree's sponge, in BigInt.
 *
 * A line-by-line port of circuits/poseidon2.py `permute` and circuits/tree_hash.py `sponge`, so that a user's
 * browser recomputes exactly what the prover committed to. The constants are not copied here: the page inlines
 * params/poseidon2_goldilocks_w12.json as globalThis.POSEIDON2_PARAMS, and under node they are read from disk.
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) {
    module.exports = factory(readParamsFromDisk());
  } else {
    root.Poseidon2 = factory(root.POSEIDON2_PARAMS);
  }

  /** Under node, the package's params file, every number quoted first: JSON numbers lose bits past 2^53. */
  function readParamsFromDisk() {
    const path = require('path');
    const file = path.join(__dirname, '..', '..', 'params', 'poseidon2_goldilocks_w12.json');
    const text = require('fs').readFileSync(file, 'utf8');
    return JSON.parse(text.replace(/"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*/g, (m) => (m[0] === '"' ? m : `"${m}"`)));
  }
})(typeof globalThis !== 'undefined' ? globalThis : this, function (params) {
  'use strict';

  const P = (1n << 64n) - (1n << 32n) + 1n;
  const WIDTH = 12;
  const RATE = 8;
  const DIGEST_SIZE = 4;
  const DOMAIN = Object.freeze({ LEAF: 1n, NODE: 2n, ROUND: 4n, ID: 5n }); // as circuits/tree_hash.py (3: retired)
  const BYTES_PER_ELEMENT = 7; // 2^56 < p: any 7 bytes are a canonical element

  if (!params || Number(params.width) !== WIDTH || Number(params.sbox_exponent) !== 7) {
    throw new Error('poseidon2 parameters: expected width 12 and the x^7 S-box');
  }
  const HALF_FULL = Number(params.half_full_rounds);
  // Integers arrive as decimal strings (exact); a JS number above 2^53 would already have lost bits.
  const toBig = (rows) => rows.map((row) => (Array.isArray(row) ? toBig(row) : exactInteger(row)));
  function exactInteger(x) {
    if (typeof x === 'number' && !Number.isSafeInteger(x)) throw new Error('poseidon2 parameters: inexact integer');
    const value = BigInt(x);
    if (value < 0n || value >= P) throw new Error('poseidon2 parameters: constant outside [0, p)');
    return value;
  }
  const EXTERNAL_RC = toBig(params.external_round_constants);
  const INTERNAL_RC = toBig(params.internal_round_constants);
  const DIAG_M_1 = toBig(params.mat_internal_diag_m_1);
  const M4 = toBig(params.m4);
  if (EXTERNAL_RC.length !== 2 * HALF_FULL || INTERNAL_RC.length !== Number(params.partial_rounds)) {
    throw new Error('poseidon2 parameters: round constant counts do not match the round counts');
  }

  function sbox(x) {
    const x2 = (x * x) % P;
    return (((x2 * x) % P) * ((x2 * x2) % P)) % P;
  }

  /** M_E = circ(2*M4, M4, M4): M4 on every chunk of 4 lanes, then add to each lane the sum of its column. */
  function externalLinearLayer(state) {
    const mixed = [];
    for (let k = 0; k < WIDTH; k += 4) {
      for (const row of M4) {
        let acc = 0n;
        for (let j = 0; j < 4; j++) acc += row[j] * state[k + j];
        mixed.push(acc);
      }
    }
    const columnSums = [0n, 0n, 0n, 0n];
    mixed.forEach((y, i) => { columnSums[i % 4] += y; });
    return mixed.map((y, i) => (y + columnSums[i % 4]) % P);
  }

  /** M_I = J + diag(V): out[i] = V[i] * x[i] + sum(x). */
  function internalLinearLayer(state) {
    const total = state.reduce((a, b) => a + b, 0n);
    return state.map((x, i) => (x * DIAG_M_1[i] + total) % P);
  }

  function isElement(x) {
    return typeof x === 'bigint' && x >= 0n && x < P;
  }

  function permute(input) {
    if (!Array.isArray(input) || input.length !== WIDTH || !input.every(isElement)) {
      throw new Error('poseidon2 state must be 12 canonical field elements (BigInt)');
    }
    let state = externalLinearLayer(input);
    const fullRound = (constants) => {
      state = externalLinearLayer(state.map((x, i) => sbox((x + constants[i]) % P)));
    };
    EXTERNAL_RC.slice(0, HALF_FULL).forEach(fullRound);
    for (const constant of INTERNAL_RC) {
      state[0] = sbox((state[0] + constant) % P);
      state = internalLinearLayer(state);
    }
    EXTERNAL_RC.slice(HALF_FULL).forEach(fullRound);
    return state;
  }

  /** Overwrite-mode sponge; the capacity binds the domain tag and the message length (so padding is unambiguous). */
  function sponge(domain, message) {
    if (message.length === 0) throw new Error('the sponge does not hash an empty message');
    if (!message.every(isElement)) throw new Error('sponge message elements must be canonical (BigInt < p)');
    let state = new Array(RATE).fill(0n).concat([BigInt(domain), BigInt(message.length), 0n, 0n]);
    for (let start = 0; start < message.length; start += RATE) {
      const chunk = message.slice(start, start + RATE);
      while (chunk.length < RATE) chunk.push(0n);
      state = permute(chunk.concat(state.slice(RATE)));
    }
    return state.slice(0, DIGEST_SIZE);
  }

  /** Bytes as 7-byte little-endian chunks (the last may be shorter): each is below p, so no reduction. */
  function bytesToElements(bytes) {
    const out = [];
    for (let i = 0; i < bytes.length; i += BYTES_PER_ELEMENT) {
      let x = 0n;
      const end = Math.min(i + BYTES_PER_ELEMENT, bytes.length);
      for (let j = end - 1; j >= i; j--) x = (x << 8n) | BigInt(bytes[j]);
      out.push(x);
    }
    return out;
  }

  function leBytes(value, size) {
    const out = [];
    let v = BigInt(value);
    for (let i = 0; i < size; i++) { out.push(Number(v & 0xffn)); v >>= 8n; }
    if (v !== 0n) throw new Error(`${value} does not fit in ${size} bytes`);
    return out;
  }

  const utf8 = (text) => Array.from(new TextEncoder().encode(text));

  /** A length-prefixed string: u32le(len(utf8(s))) || utf8(s). */
  function strBytes(text) {
    const raw = utf8(text);
    return leBytes(raw.length, 4).concat(raw);
  }

  /** circuits.tree_hash.id_commitment: the id commitment of a user's leaf `position` (k) of `count` (K). */
  function hashId(userId, nonce, position, count) {
    if (!(Number.isSafeInteger(position) && Number.isSafeInteger(count) && position >= 0 && position < count &&
          count < 2 ** 32)) throw new Error('a leaf position needs 0 <= k < K < 2^32');
    const uid = utf8(userId);
    const data = leBytes(uid.length, 4).concat(uid, leBytes(nonce.length, 4), Array.from(nonce),
      leBytes(position, 4), leBytes(count, 4));
    return sponge(DOMAIN.ID, bytesToElements(data));
  }

  function hashLeaf(idc, balances) {
    return sponge(DOMAIN.LEAF, idc.concat(balances));
  }

  function hashNode(left, right) {
    return sponge(DOMAIN.NODE, left.concat(right));
  }

  /** The root reached from a leaf at `index` through its siblings, listed from the leaf level up. */
  function rootFromPath(leaf, index, siblings) {
    let node = leaf;
    let i = BigInt(index);
    for (const sibling of siblings) {
      node = (i & 1n) ? hashNode(sibling, node) : hashNode(node, sibling);
      i >>= 1n;
    }
    return node;
  }

  /** SPEC §1 item 4: R = sponge(ROUND, T || header), so round, policy, N and the asset list are pinned by R. */
  function roundHeader(round, policy, leaves, assets) {
    let header = strBytes(round).concat(strBytes(policy), leBytes(leaves, 8), leBytes(assets.length, 4));
    for (const asset of assets) header = header.concat(strBytes(asset.symbol), leBytes(asset.decimals, 4));
    return header;
  }

  function hashRound(treeRoot, round, policy, leaves, assets) {
    return sponge(DOMAIN.ROUND, treeRoot.concat(bytesToElements(roundHeader(round, policy, leaves, assets))));
  }

  function digestToHex(digest) {
    return digest.map((x) => leBytes(x, 8).map((b) => b.toString(16).padStart(2, '0')).join('')).join('');
  }

  /** 64 hex chars -> 4 elements (8 bytes little-endian each); null unless well-formed and canonical. */
  function digestFromHex(text) {
    if (typeof text !== 'string' || !/^[0-9a-fA-F]{64}$/.test(text)) return null;
    const digest = [];
    for (let k = 0; k < 64; k += 16) {
      let x = 0n;
      for (let j = k + 14; j >= k; j -= 2) x = (x << 8n) | BigInt(parseInt(text.slice(j, j + 2), 16));
      if (x >= P) return null;
      digest.push(x);
    }
    return digest;
  }

  return Object.freeze({
    P, WIDTH, DOMAIN, permute, sponge, bytesToElements, hashId, hashLeaf, hashNode, rootFromPath,
    roundHeader, hashRound, digestToHex, digestFromHex,
  });
});
