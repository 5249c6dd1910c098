/**
 * Reading a migration file for lint with PostgreSQL's own parser (libpg-query, the server's
 * grammar compiled to WebAssembly): its statements with their lines, and its disable comments.
 *
 * The file is cut at drizzle's `--> statement-breakpoint` markers first, as ecomdb migrate cuts
 * it (src/migrations/files.ts), and each piece is parsed on its own, so a piece that does not
 * parse costs only its own statements. libpg-query reports statement locations in bytes of UTF-8
 * and error positions in characters; both become 1-based lines of the file here.
 */
import { loadModule, parseSync, scanSync } from 'libpg-query';
import { BREAKPOINT, isTransactional } from '../migrations/files.ts';

/** A parse-tree node as libpg-query returns it: `{ KindName: { ...fields } }`. */
export type Node = Record<string, unknown>;

export interface Statement {
  /** The node's kind, e.g. `IndexStmt`, `AlterTableStmt`. */
  readonly kind: string;
  /** The node's fields. */
  readonly node: Record<string, unknown>;
  /** 1-based line of the statement's first token in the file. */
  readonly line: number;
  /** Character offsets of the statement in the file (first token to the end of its text). */
  readonly start: number;
  readonly end: number;
  /**
   * How many statements share its piece between breakpoint markers. ecomdb migrate sends a piece
   * as one query, and several statements in one query run as one implicit transaction.
   */
  readonly pieceStatements: number;
}

export interface Comment {
  readonly line: number;
  /** Character offset just after the comment. */
  readonly end: number;
  /** The comment's text without `--` or the slash-star delimiters, trimmed. */
  readonly text: string;
}

export interface SyntaxProblem {
  readonly line: number;
  readonly message: string;
}

export interface ParsedFile {
  readonly name: string;
  readonly text: string;
  /** False when the file opens with `-- ecomdb:no-transaction` (ecomdb migrate runs it outside a transaction). */
  readonly transactional: boolean;
  readonly statements: readonly Statement[];
  readonly comments: readonly Comment[];
  readonly syntax: readonly SyntaxProblem[];
}

let loaded: Promise<void> | undefined;

/** Load the parser's WebAssembly module once; every parse waits for it. */
export function loadParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

/** The pieces of a file between breakpoint markers, with their character offsets. */
function pieces(text: string): { offset: number; sql: string }[] {
  const out: { offset: number; sql: string }[] = [];
  let offset = 0;
  for (;;) {
    const at = text.indexOf(BREAKPOINT, offset);
    const end = at < 0 ? text.length : at;
    out.push({ offset, sql: text.slice(offset, end) });
    if (at < 0) return out;
    offset = at + BREAKPOINT.length;
  }
}

/** 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Parse one file; call loadParser() first. Pure apart from the parser's module. */
export function parseFile(name: string, text: string): ParsedFile {
  const statements: Statement[] = [];
  const comments: Comment[] = [];
  const syntax: SyntaxProblem[] = [];
  for (const piece of pieces(text)) {
    const bytes = Buffer.from(piece.sql, 'utf8');
    const charAt = (byte: number) => piece.offset + bytes.subarray(0, byte).toString('utf8').length;
    try {
      for (const token of scanSync(piece.sql).tokens) {
        if (token.tokenName !== 'SQL_COMMENT' && token.tokenName !== 'C_COMMENT') continue;
        const body = token.tokenName === 'SQL_COMMENT' ? token.text.replace(/^--/, '') : token.text.replace(/^\/\*|\*\/$/g, '');
        comments.push({ line: lineAt(text, charAt(token.start)), end: charAt(token.end), text: body.trim() });
      }
    } catch {
      // The scanner refuses what the parser will refuse too (an unterminated string): reported below.
    }
    let tree;
    try {
      tree = parseSync(piece.sql);
    } catch (error) {
      const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
      const at = piece.offset + Math.max(0, details?.cursorPosition ?? 0);
      syntax.push({ line: lineAt(text, at), message: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const stmts = (tree.stmts ?? []).filter((raw) => raw.stmt);
    for (const raw of stmts) {
      const [kind, node] = Object.entries(raw.stmt as Node)[0] as [string, Record<string, unknown>];
      const startByte = raw.stmt_location ?? 0;
      const endByte = raw.stmt_len ? startByte + raw.stmt_len : bytes.length;
      const start = charAt(startByte);
      statements.push({ kind, node, line: lineAt(text, start), start, end: charAt(endByte), pieceStatements: stmts.length });
    }
  }
  return { name, text, transactional: isTransactional(text), statements, comments, syntax };
}
