// SPDX-License-Identifier: MIT
// Microsoft's Kusto parser (Kusto.Language, from @kusto/language-service-next)
// as the reference for rmmhunt's KQL: parses and analyzes queries against the
// tables rmmhunt knows and prints what it reports.
//
//   node check.js TABLES.jsonl < queries.jsonl
//
// TABLES.jsonl is `rmmhunt rules tables` (one line per column). Each input line
// is {"id": ..., "query": "..."}; each output line is {"id", "ok"} and, for a
// refused query, its first error (by position, the cause first at one place:
// see rank): "code", "message", "line" and
// "col" (1-based, counting characters as rmmhunt does), "length".
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');

const base = path.join(__dirname, 'node_modules', '@kusto', 'language-service-next');
require(path.join(base, 'bridge.min.js'));
require(path.join(base, 'Kusto.Language.Bridge.min.js'));
const K = global.Kusto.Language;

function database(file) {
  const cols = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const c = JSON.parse(line);
    if (!cols.has(c.Table)) cols.set(c.Table, []);
    cols.get(c.Table).push(`${c.Column}:${c.Type}`);
  }
  const syms = [];
  for (const [table, list] of cols)
    syms.push(K.Symbols.TableSymbol.From(`(${list.join(', ')})`).WithName(table));
  return new K.Symbols.DatabaseSymbol.ctor('db', syms);
}

// 1-based line and column of UTF-16 offset @off, columns counting code points.
function position(text, off) {
  let line = 1, col = 1;
  for (let i = 0; i < off && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      col = 1;
    } else if (c < 0xdc00 || c > 0xdfff) { // a low surrogate shares its pair's column
      col++;
    }
  }
  return [line, col];
}

// Where diagnostic @d starts, for ordering: Kusto puts a missing token either on
// the token after it (one blank before) or, zero-width, right after the token
// before (more blanks); both are the gap before that next token. A token missing
// at the end of a line stays there.
function start(text, d) {
  let s = d.Start;
  if (d.Length === 0)
    while (s < text.length && ' \t'.includes(text[s])) s++;
  return s;
}

// At one place, the causes first: a name that does not resolve, then a
// missing or unexpected token, then the type errors they bring with them.
function rank(d) {
  if (d.Code === 'KS142' || d.Code === 'KS204' || d.Code === 'KS211') return 0;
  return TYPE_CODES.has(d.Code) ? 2 : 1;
}

// Kusto.Language's type errors (tests/e2e/kusto_ref.py names the same codes).
const TYPE_CODES = new Set(['KS106', 'KS107', 'KS116', 'KS138', 'KS141', 'KS206', 'KS236']);

function check(globals, query) {
  const code = K.KustoCode.ParseAndAnalyze(query, globals);
  const ds = code.GetDiagnostics();
  // The first error by where it starts; at one place, the cause (see rank).
  let first = null;
  for (let i = 0; i < ds.Count; i++) {
    const d = ds.getItem(i);
    if (d.Severity !== 'Error') continue;
    if (!first) {
      first = d;
      continue;
    }
    const a = start(query, d), b = start(query, first);
    if (a < b || (a === b && rank(d) < rank(first)))
      first = d;
  }
  if (!first) return {ok: true};
  const [line, col] = position(query, first.Start);
  return {ok: false, code: first.Code, message: first.Message, line, col, length: first.Length};
}

const globals = K.GlobalState.Default.WithDatabase(database(process.argv[2]));
const rl = readline.createInterface({input: process.stdin, crlfDelay: Infinity});
rl.on('line', (line) => {
  if (!line.trim()) return;
  const q = JSON.parse(line);
  process.stdout.write(JSON.stringify(Object.assign({id: q.id}, check(globals, q.query))) + '\n');
});
