/* The strict JSON reader of the verification page: the grammar written in verifier/formats/strict_json.py's
 * docstring (SPEC §3), which the Python verifier reads with the same rules, so one file gets one answer.
 *
 * Hand-written because no browser parser can do it: JSON.parse reads 475, 475.0 and 475e0 as one number, rounds
 * integers above 2^53, keeps the last of two equal keys without a word and cannot say which keys came in which
 * order. parse(text) returns the value with integers as BigInt, other numbers as Number (never an integer to
 * the formats), objects as plain objects whose document key order keysOf(object) gives; any departure from the
 * grammar throws a StrictJsonError saying where.
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) {
    module.exports = factory();
  } else {
    root.StrictJson = factory();
  }
})(typeof globalThis !== 'undefined' ? globalThis : this, function () {
  'use strict';

  const MAX_DEPTH = 64;
  const MAX_INTEGER_DIGITS = 100;
  const WHITESPACE = /[ \t\n\r]*/y;
  const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
  const PLAIN_CHARS = /[^"\\\u0000-\u001f]*/y;
  const ESCAPES = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
  const LITERALS = [['true', true], ['false', false], ['null', null]];
  const KEY_ORDER = new WeakMap();

  class StrictJsonError extends Error {}

  /** An object's keys in the order the document wrote them (JS objects list integer-like keys first). */
  function keysOf(object) {
    return KEY_ORDER.get(object) || Object.keys(object);
  }

  function parse(text) {
    let at = 0;

    function fail(what) {
      const line = text.slice(0, at).split('\n').length;
      throw new StrictJsonError(`${what} at line ${line}`);
    }

    function match(pattern) {
      pattern.lastIndex = at;
      const found = pattern.exec(text);
      at = pattern.lastIndex;
      return found;
    }

    function skipWhitespace() {
      match(WHITESPACE);
    }

    function string() {
      at += 1; // the opening quote
      let value = '';
      for (;;) {
        value += match(PLAIN_CHARS)[0];
        const c = text[at];
        if (c === '"') {
          at += 1;
          return value;
        }
        if (c === undefined) fail('unterminated string');
        if (c !== '\\') fail('a control character inside a string');
        const e = text[at + 1];
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) {
          value += String.fromCharCode(parseInt(text.slice(at + 2, at + 6), 16));
          at += 6;
        } else if (Object.prototype.hasOwnProperty.call(ESCAPES, e)) {
          value += ESCAPES[e];
          at += 2;
        } else {
          fail('an invalid escape in a string');
        }
      }
    }

    function number() {
      const found = match(NUMBER);
      if (found === null) fail('not a JSON value');
      const token = found[0];
      if (/^[0-9]/.test(text.slice(at, at + 1))) fail('a number with a leading zero');
      if (found[1] !== undefined || found[2] !== undefined) return Number(token); // never an integer
      if (token === '-0') fail('-0 is not a canonical integer (zero has no sign)');
      if (token.replace('-', '').length > MAX_INTEGER_DIGITS) {
        fail(`an integer of more than ${MAX_INTEGER_DIGITS} digits`);
      }
      return BigInt(token);
    }

    function container(depth, close, item) {
      if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`);
      at += 1; // the opening bracket
      skipWhitespace();
      if (text[at] === close) {
        at += 1;
        return;
      }
      for (;;) {
        item();
        skipWhitespace();
        if (text[at] === close) {
          at += 1;
          return;
        }
        if (text[at] !== ',') fail(`expected ',' or '${close}'`);
        at += 1;
        skipWhitespace();
      }
    }

    function object(depth) {
      const result = {};
      const keys = [];
      container(depth, '}', () => {
        if (text[at] !== '"') fail('expected a key in double quotes');
        const key = string();
        if (Object.prototype.hasOwnProperty.call(result, key)) {
          fail(`the key ${JSON.stringify(key)} appears twice in one object`);
        }
        skipWhitespace();
        if (text[at] !== ':') fail("expected ':'");
        at += 1;
        // defineProperty, not assignment: a key "__proto__" must stay a key, not change the object's prototype
        const property = { value: value(depth), enumerable: true, writable: true, configurable: true };
        Object.defineProperty(result, key, property);
        keys.push(key);
      });
      KEY_ORDER.set(result, keys);
      return result;
    }

    function array(depth) {
      const result = [];
      container(depth, ']', () => result.push(value(depth)));
      return result;
    }

    function value(depth) {
      skipWhitespace();
      const c = text[at];
      if (c === '{') return object(depth + 1);
      if (c === '[') return array(depth + 1);
      if (c === '"') return string();
      for (const [word, literal] of LITERALS) {
        if (text.startsWith(word, at)) {
          at += word.length;
          return literal;
        }
      }
      return number();
    }

    if (typeof text !== 'string') throw new TypeError('StrictJson.parse reads text');
    const result = value(0);
    skipWhitespace();
    if (at !== text.length) fail('unexpected text after the JSON value');
    return result;
  }

  return Object.freeze({ parse, keysOf, StrictJsonError, MAX_DEPTH });
});
