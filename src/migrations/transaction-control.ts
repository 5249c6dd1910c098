/**
 * Finding transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ...) among the top-level
 * statements of a migration file. ecomdb runs a transactional file between its own BEGIN and
 * COMMIT; a COMMIT inside would commit the statements before it, and a failure after it would
 * leave them applied while the file is reported rolled back. Pure.
 *
 * A small tokenizer rather than a regular expression: the words must not be found inside
 * comments (`--`, nested block comments), string literals ('...', E'...'), quoted identifiers
 * ("commit") or dollar-quoted bodies ($$ ... COMMIT; ... $$, where PL/pgSQL may legitimately
 * say COMMIT), and a SQL-standard function body (BEGIN ATOMIC ... END) is one statement, as
 * psql reads it.
 */

/** The statement words that control the transaction, as PostgreSQL's grammar starts them. */
const CONTROL = new Set(['BEGIN', 'START', 'COMMIT', 'END', 'ROLLBACK', 'ABORT', 'SAVEPOINT', 'RELEASE', 'PREPARE']);

interface Statement {
  readonly words: string[];
}

/** The first words of each top-level statement of `sql` (enough to recognise it). */
export function statementHeads(sql: string): string[][] {
  const heads: string[][] = [];
  let current: Statement = { words: [] };
  // BEGIN ... END nesting inside CREATE FUNCTION/PROCEDURE (a BEGIN ATOMIC body), as psql counts it.
  let depth = 0;
  const routine = () => {
    const w = current.words;
    const i = w[1] === 'OR' && w[2] === 'REPLACE' ? 3 : 1;
    return w[0] === 'CREATE' && (w[i] === 'FUNCTION' || w[i] === 'PROCEDURE');
  };
  const word = (text: string) => {
    const upper = text.toUpperCase();
    if (current.words.length < 6) current.words.push(upper);
    if (!routine()) return;
    if (upper === 'BEGIN' || (upper === 'CASE' && depth > 0)) depth++;
    else if (upper === 'END' && depth > 0) depth--;
  };
  const end = () => {
    if (current.words.length > 0) heads.push(current.words);
    current = { words: [] };
    depth = 0;
  };

  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      let nesting = 1;
      i += 2;
      while (i < n && nesting > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (nesting++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (nesting--, (i += 2));
        else i++;
      }
    } else if (c === "'") {
      // E'...' allows backslash escapes; the E was read as a word just before the quote.
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]!) && !/[\w$]/.test(sql[i - 2] ?? ' ');
      i++;
      while (i < n) {
        if (escapes && sql[i] === '\\') i += 2;
        else if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") break;
        else i++;
      }
      i++;
    } else if (c === '"') {
      i++;
      while (i < n && !(sql[i] === '"' && sql[i + 1] !== '"')) i += sql[i] === '"' ? 2 : 1;
      i++;
      // A quoted identifier is a name, never a keyword, but it still counts as a word.
      if (current.words.length < 6) current.words.push('"');
    } else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? ' ') && /^\$([A-Za-z_][\w]*)?\$/.test(sql.slice(i, i + 65))) {
      const tag = /^\$([A-Za-z_][\w]*)?\$/.exec(sql.slice(i, i + 65))![0];
      const close = sql.indexOf(tag, i + tag.length);
      i = close < 0 ? n : close + tag.length;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const start = i;
      while (i < n && /[\w$\u0080-\uffff]/.test(sql[i]!)) i++;
      word(sql.slice(start, i));
    } else if (c === ';') {
      if (depth === 0) end();
      i++;
    } else {
      i++;
    }
  }
  end();
  return heads;
}

/**
 * The transaction-control statement among the top-level statements of `sql`, as words
 * (e.g. `COMMIT`, `START TRANSACTION`, `PREPARE TRANSACTION`), or null. `PREPARE name AS ...`
 * (a prepared statement) is not transaction control; `PREPARE TRANSACTION` is.
 */
export function transactionControl(sql: string): string | null {
  for (const words of statementHeads(sql)) {
    const [first, second] = words;
    if (!first || !CONTROL.has(first)) continue;
    if (first === 'PREPARE' && second !== 'TRANSACTION') continue;
    if (first === 'START' && second !== 'TRANSACTION') continue;
    const phrase = second === 'TRANSACTION' || second === 'PREPARED' || second === 'WORK' || second === 'TO' ? `${first} ${second}` : first;
    return phrase;
  }
  return null;
}
