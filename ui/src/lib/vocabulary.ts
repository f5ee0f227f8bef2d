// The Vocabulary view's logic: its commands, the language's tokens (for
// highlighting), completion of catalog fields and definition names, the
// mapping of the Rust checker's line/column spans to editor offsets, and the
// "latest answer wins" debouncing of the live checks. Pure functions, except
// the command wrappers; ui/src/lib/editor.ts wires them into CodeMirror.

import { call } from "./api";
import type { CompletionsDto } from "./bindings/CompletionsDto";
import type { DiagnosticDto } from "./bindings/DiagnosticDto";
import type { DiffDto } from "./bindings/DiffDto";
import type { DraftCountDto } from "./bindings/DraftCountDto";
import type { VersionDto } from "./bindings/VersionDto";
import type { VocabularyEntriesDto } from "./bindings/VocabularyEntriesDto";
import type { VocabularyEntryDto } from "./bindings/VocabularyEntryDto";
import type { VocabularyFileDto } from "./bindings/VocabularyFileDto";
import type { VocabularySaveDto } from "./bindings/VocabularySaveDto";

// ---- Commands (src-tauri/src/commands_vocabulary.rs) ----

export const vocabularyEntries = () => call<VocabularyEntriesDto>("vocabulary_entries");
export const vocabularyFile = (file: string) => call<VocabularyFileDto>("vocabulary_file", { file });
export const vocabularyCheckText = (file: string, text: string) =>
  call<DiagnosticDto[]>("vocabulary_check_text", { file, text });
export const vocabularyCompletions = () => call<CompletionsDto>("vocabulary_completions");
export const vocabularyDraftCount = (file: string, text: string, segment: string | null) =>
  call<DraftCountDto>("vocabulary_draft_count", { file, text, segment });
export const vocabularySave = (file: string, text: string, author: string, message: string) =>
  call<VocabularySaveDto>("vocabulary_save", { file, text, author, message });
export const vocabularyAuthor = () => call<string>("vocabulary_author");
export const vocabularyHistory = (kind: string, name: string) =>
  call<VersionDto[]>("vocabulary_history", { kind, name });
export const vocabularyDiff = (kind: string, name: string, from: number, to: number) =>
  call<DiffDto>("vocabulary_diff", { kind, name, from, to });

/** The event the shell emits after the folder's files changed on disk. */
export const CHANGED_EVENT = "vocabulary-changed";

// ---- The list ----

/** How an entry's state reads in the list. */
export function entryStatus(entry: VocabularyEntryDto): { label: string; tone: "ok" | "warn" | "error" } {
  if (entry.errors > 0) {
    const published = entry.summary.version === null ? "not published" : `v${entry.summary.version} stays published`;
    return { label: `${plural(entry.errors, "error")}; ${published}`, tone: "error" };
  }
  if (entry.summary.deprecated !== null) return { label: "deprecated", tone: "warn" };
  if (entry.summary.version === null) return { label: "not published yet", tone: "warn" };
  return { label: `v${entry.summary.version}`, tone: "ok" };
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** A stable key for an entry: kinds have separate names. */
export const entryKey = (entry: { summary: { kind: string; name: string } }) =>
  `${entry.summary.kind} ${entry.summary.name}`;

// ---- Diagnostics: the checker's 1-based line and column (in characters) to editor offsets ----

/** The parts of a document the mapping needs (CodeMirror's Text has them). */
export interface LineDoc {
  readonly lines: number;
  line(n: number): { from: number; text: string };
}

/** UTF-16 offset within `text` of the 1-based character column `column`. */
export function columnOffset(text: string, column: number): number {
  let offset = 0;
  let chars = 1;
  for (const ch of text) {
    if (chars >= column) break;
    offset += ch.length;
    chars += 1;
  }
  return offset;
}

/** A document position for a 1-based line and column, clamped to the document. */
export function position(doc: LineDoc, line: number, column: number): number {
  const n = Math.min(Math.max(1, line), doc.lines);
  const l = doc.line(n);
  if (line > doc.lines) return l.from + l.text.length;
  return l.from + columnOffset(l.text, column);
}

export interface EditorDiagnostic {
  from: number;
  to: number;
  severity: "error" | "warning";
  message: string;
}

/**
 * The checker's diagnostics as editor ranges. An empty span (a missing
 * token) is widened to one character so it stays visible.
 */
export function toEditorDiagnostics(doc: LineDoc, diagnostics: readonly DiagnosticDto[]): EditorDiagnostic[] {
  const end = doc.line(doc.lines).from + doc.line(doc.lines).text.length;
  return diagnostics.map((d) => {
    const from = position(doc, d.line, d.column);
    let to = Math.max(from, position(doc, d.endLine, d.endColumn));
    if (to === from) to = Math.min(from + 1, end);
    // At the very end of the text there is no next character: mark the last.
    return {
      from: to === from ? Math.max(0, from - 1) : from,
      to,
      severity: d.severity === "error" ? "error" : "warning",
      message: diagnosticMessage(d),
    };
  });
}

/** "unknown field `survey.npz` (did you mean `survey.nps`?)" as one line. */
export function diagnosticMessage(d: DiagnosticDto): string {
  return d.suggestion ? `${d.message} (${d.suggestion})` : d.message;
}

// ---- Debouncing: run after a pause in typing; only the latest answer counts ----

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const browserTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Calls `work(input)` once typing pauses for `ms`, and hands its result to
 * `apply` only if no newer input arrived meanwhile: a slow answer about old
 * text never overwrites a newer one.
 */
export function latestAfterPause<I, O>(
  ms: number,
  work: (input: I) => Promise<O>,
  apply: (output: O, input: I) => void,
  fail: (error: unknown) => void,
  timers: Timers = browserTimers,
): { push(input: I): void; cancel(): void } {
  let pending: unknown = null;
  let generation = 0;
  return {
    push(input: I) {
      generation += 1;
      const mine = generation;
      if (pending !== null) timers.clear(pending);
      pending = timers.set(() => {
        pending = null;
        work(input).then(
          (output) => {
            if (mine === generation) apply(output, input);
          },
          (error: unknown) => {
            if (mine === generation) fail(error);
          },
        );
      }, ms);
    },
    cancel() {
      generation += 1;
      if (pending !== null) timers.clear(pending);
      pending = null;
    },
  };
}

// ---- Highlighting: the language's tokens ----

/** Definition and clause keywords, operators spelled as words, aggregates. */
export const KEYWORDS = new Set([
  "segment", "score", "stages", "value", "touchpoints",
  "owner", "description", "tags", "deprecated", "where", "points", "per", "max", "when", "stage",
  "otherwise", "horizon", "discount", "year", "month", "margin", "for", "contact", "cost", "return",
  "tier", "from", "group", "map", "to", "ignore", "of", "within", "between", "and", "or", "not", "in",
  "contains", "matches", "then", "no", "today", "true", "false",
]);
export const AGGREGATES = new Set(["count", "sum", "avg", "min", "max", "first", "last", "distinct"]);

/** What the highlighter needs from a character stream (CodeMirror's StringStream has it). */
export interface Stream {
  eatSpace(): boolean;
  match(pattern: RegExp): RegExpMatchArray | null | boolean;
  next(): string | void;
  skipToEnd(): void;
  peek(): string | undefined | void;
}

export type TokenKind =
  | "comment"
  | "string"
  | "date"
  | "duration"
  | "number"
  | "keyword"
  | "aggregate"
  | "operator"
  | "field"
  | "name"
  | "definition"
  | null;

/**
 * One token of the language, as the lexer (crates/parlance-vocabulary/src/lexer.rs)
 * splits it. `afterKind` says the previous word was a definition keyword,
 * so this word is the definition's name.
 */
export function nextToken(stream: Stream, state: { afterKind: boolean }): TokenKind {
  if (stream.eatSpace()) return null;
  const wasAfterKind = state.afterKind;
  state.afterKind = false;
  if (stream.match(/^#.*/)) return "comment";
  if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return "string";
  if (stream.match(/^\d{4}-\d{1,2}-\d{1,2}/)) return "date";
  if (stream.match(/^\d+[dwmy](?![\w])/)) return "duration";
  if (stream.match(/^\d[\d_]*(?:\.\d+)?%?/)) return "number";
  if (stream.match(/^(?:starts-with|is-not-set|is-set)\b/)) return "keyword";
  const word = stream.match(/^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*/);
  if (word && typeof word !== "boolean") {
    const text = word[0];
    if (text.includes(".")) return "field";
    if (wasAfterKind) return "definition";
    if (AGGREGATES.has(text) && stream.peek() === "(") return "aggregate";
    if (["segment", "score", "stages", "value", "touchpoints"].includes(text)) {
      state.afterKind = true;
      return "keyword";
    }
    if (KEYWORDS.has(text)) return "keyword";
    return "name";
  }
  if (stream.match(/^(?:!=|<=|>=|[=<>+\-()[\],.:])/)) return "operator";
  stream.next();
  return null;
}

// ---- Completion ----

export interface CompletionOption {
  label: string;
  type: "field" | "event" | "property" | "segment" | "score" | "stage" | "keyword";
  detail?: string;
}

/**
 * What to offer for the word being typed, given the text before the cursor:
 * `{from, options}` with `from` the offset (in `before`) where the word starts.
 * After `in segment` only segment names; after `score.` score names; after an
 * event name and a dot, its properties; else fields, events and keywords.
 */
export function completionsFor(
  before: string,
  catalog: CompletionsDto,
  explicit = false,
): { from: number; options: CompletionOption[] } | null {
  const word = /[A-Za-z_][\w.]*$/.exec(before);
  const typed = word ? word[0] : "";
  const from = before.length - typed.length;
  const preceding = before.slice(0, from);
  if (!typed && !explicit) return null;
  if (/#[^\n]*$/.test(before) || insideString(before)) return null;
  if (/\bin\s+segment\s+$/.test(preceding)) {
    return { from, options: catalog.segments.map((label) => ({ label, type: "segment" })) };
  }
  if (typed.startsWith("score.")) {
    return {
      from,
      options: catalog.scores.map((s) => ({ label: `score.${s}`, type: "score", detail: "score" })),
    };
  }
  const dot = typed.lastIndexOf(".");
  if (dot > 0) {
    const event = catalog.events.find((e) => e.name === typed.slice(0, dot));
    if (event) {
      return {
        from,
        options: event.properties.map((p) => ({ label: `${event.name}.${p.path}`, type: "property", detail: p.ty })),
      };
    }
  }
  const options: CompletionOption[] = [
    ...catalog.fields.map((f) => ({ label: f.path, type: "field" as const, detail: f.ty })),
    ...catalog.events.map((e) => ({ label: e.name, type: "event" as const, detail: "event" })),
    ...catalog.scores.map((s) => ({ label: `score.${s}`, type: "score" as const, detail: "score" })),
  ];
  if (!typed.includes(".")) {
    for (const k of KEYWORDS) options.push({ label: k, type: "keyword" });
    for (const a of AGGREGATES) options.push({ label: a, type: "keyword", detail: "aggregate" });
  }
  if (/\bstage\s*(?:=|!=|in\s*\[[^\]]*)\s*"?$/.test(preceding)) {
    return { from, options: catalog.stages.map((label) => ({ label, type: "stage" })) };
  }
  return { from, options: options.filter((o) => o.label.startsWith(typed)) };
}

/** Whether the cursor is inside a string on its line (an odd number of unescaped quotes). */
export function insideString(before: string): boolean {
  const line = before.slice(before.lastIndexOf("\n") + 1).replace(/\\./g, "");
  return (line.match(/"/g) ?? []).length % 2 === 1;
}

// ---- Version history ----

/** The two versions a diff compares by default: the latest and the one before. */
export function defaultDiffPair(versions: readonly VersionDto[]): { from: number; to: number } | null {
  if (versions.length < 2) return null;
  const sorted = [...versions].map((v) => v.version).sort((a, b) => a - b);
  return { from: sorted[sorted.length - 2] as number, to: sorted[sorted.length - 1] as number };
}

/** Each line of a unified diff with how to show it. */
export function diffLines(diff: string): { text: string; kind: "add" | "remove" | "hunk" | "context" }[] {
  return diff
    .split("\n")
    .filter((line, i, all) => !(line === "" && i === all.length - 1))
    .map((text) => {
      if (text.startsWith("+++") || text.startsWith("---") || text.startsWith("@@")) return { text, kind: "hunk" };
      if (text.startsWith("+")) return { text, kind: "add" };
      if (text.startsWith("-")) return { text, kind: "remove" };
      return { text, kind: "context" };
    });
}
