// The REST routes of the installed stream-chat package, read from its TypeScript sources: every call of the
// client's get/post/put/patch/delete whose URL starts at the client's baseURL or at a channel's URL, as
// "METHOD /path" with each dynamic segment written {} (PROTOCOL.md §7). A URL held in a variable is followed to
// the variable's assignment in the same file; a variable extended with += gives both forms.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The folder of the installed stream-chat's TypeScript sources. */
export function streamChatSources() {
  let dir = dirname(createRequire(import.meta.url).resolve('stream-chat'));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return join(dir, 'src');
}

/** The version of the installed stream-chat. */
export function streamChatVersion() {
  return JSON.parse(readFileSync(join(dirname(streamChatSources()), 'package.json'), 'utf8')).version;
}

function tsFiles(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Index just past the string or template literal that starts at i (a template's ${...} skipped whole). */
function skipString(src, i) {
  const q = src[i];
  i++;
  while (i < src.length && src[i] !== q) {
    if (src[i] === '\\') {
      i += 2;
    } else if (q === '`' && src[i] === '$' && src[i + 1] === '{') {
      i = skipExpr(src, i + 2, '}') + 1;
    } else {
      i++;
    }
  }
  return i + 1;
}

/** Index of the first top-level character of `stops` at or after i; brackets and strings are skipped. */
function skipExpr(src, i, stops) {
  let depth = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === "'" || c === '"' || c === '`') {
      i = skipString(src, i);
      continue;
    }
    if (depth === 0 && stops.includes(c)) return i;
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    i++;
  }
  return i;
}

const BASES = [
  /this\.channel\.getClient\(\)\.baseURL/g,
  /this\.getClient\(\)\.baseURL/g,
  /this\.client\.baseURL/g,
  /client\.baseURL/g,
  /this\.baseURL/g,
];
const CHANNEL_URLS = [/this\.channel\._channelURL\(\)/g, /channel\._channelURL\(\)/g, /this\._channelURL\(\)/g];

/** The path an URL expression builds, with {} for what is not a literal; null when it does not start at the API. */
function pathOf(expression) {
  let e = expression.trim();
  const wrapped = /^new URL\(([\s\S]*)\)$/.exec(e);
  if (wrapped) e = wrapped[1].slice(0, skipExpr(wrapped[1], 0, ','));
  for (const b of BASES) e = e.replace(b, "'@'");
  for (const c of CHANNEL_URLS) e = e.replace(c, "'@/channels/{}/{}'");
  if (!e.includes('@')) return null;
  let out = '';
  let i = 0;
  while (i < e.length) {
    const c = e[i];
    if (c === "'" || c === '"') {
      const end = skipString(e, i);
      out += e.slice(i + 1, end - 1);
      i = end;
    } else if (c === '`') {
      i++;
      while (i < e.length && e[i] !== '`') {
        if (e[i] === '$' && e[i + 1] === '{') {
          const close = skipExpr(e, i + 2, '}');
          const literal = /^'(@[^']*)'$/.exec(e.slice(i + 2, close).trim());
          out += literal ? literal[1] : '{}';
          i = close + 1;
        } else {
          out += e[i];
          i++;
        }
      }
      i++;
    } else if (c === '+' || /\s/.test(c)) {
      i++;
    } else {
      i = skipExpr(e, i, '+');
      out += '{}';
    }
  }
  // a dynamic part glued to a literal is a query string or an optional suffix, not a path segment
  out = out.replace(/@/g, '').split('?')[0].replace(/(\{\})+/g, '{}').replace(/([^/])\{\}/g, '$1');
  return out.startsWith('/') ? out : null;
}

/** The expressions a variable's value may be at a call: its nearest assignment, and with each += after it. */
function variableValues(src, name, at) {
  const before = src.slice(0, at);
  let last = null;
  for (const a of before.matchAll(new RegExp(`\\b${name}\\s*=(?!=)\\s*`, 'g'))) last = a;
  if (!last) return [];
  const start = last.index + last[0].length;
  const base = src.slice(start, skipExpr(src, start, ';'));
  const values = [base];
  for (const a of before.slice(start).matchAll(new RegExp(`\\b${name}\\s*\\+=\\s*`, 'g'))) {
    const s = start + a.index + a[0].length;
    values.push(`${base} + ${src.slice(s, skipExpr(src, s, ';'))}`);
  }
  return values;
}

const CALL = /\.(get|post|put|patch|delete)\s*(?:<[^()]*?>)?\s*\(/g;

/**
 * The routes of the stream-chat sources under `dir`: a map of "METHOD /path" to the first call site, and the call
 * sites whose URL could not be followed (the client's own request helpers, link previews of other hosts).
 */
export function routesOf(dir = streamChatSources()) {
  const routes = new Map();
  const unresolved = [];
  for (const file of tsFiles(dir)) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(CALL)) {
      const from = m.index + m[0].length;
      let arg = src.slice(from, skipExpr(src, from, ',)')).trim();
      const toString = /^(\w+)\.toString\(\)$/.exec(arg);
      if (toString) arg = toString[1];
      const lead = /^([A-Za-z_]\w*)(\s*\+[\s\S]*)?$/.exec(arg);
      const exprs = lead ? variableValues(src, lead[1], m.index).map((v) => v + (lead[2] ?? '')) : [arg];
      const where = `${file.slice(dir.length + 1)}:${src.slice(0, m.index).split('\n').length}`;
      let found = false;
      for (const e of exprs) {
        const path = pathOf(e);
        if (path) {
          found = true;
          const key = `${m[1].toUpperCase()} ${path}`;
          if (!routes.has(key)) routes.set(key, where);
        }
      }
      if (!found && /url|URL/.test(arg)) unresolved.push(`${where} ${m[1]}(${arg.split('\n')[0]})`);
    }
  }
  return { routes, unresolved };
}
