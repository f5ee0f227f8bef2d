import { describe, expect, it, vi } from "vitest";
import { Text } from "@codemirror/state";
import type { CompletionsDto } from "./bindings/CompletionsDto";
import type { DiagnosticDto } from "./bindings/DiagnosticDto";
import type { VocabularyEntryDto } from "./bindings/VocabularyEntryDto";
import {
  columnOffset,
  completionsFor,
  defaultDiffPair,
  diffLines,
  entryStatus,
  insideString,
  latestAfterPause,
  nextToken,
  position,
  toEditorDiagnostics,
  type Stream,
  type Timers,
  type TokenKind,
} from "./vocabulary";

const diag = (over: Partial<DiagnosticDto>): DiagnosticDto => ({
  file: "segments.parlance",
  line: 1,
  column: 1,
  endLine: 1,
  endColumn: 1,
  severity: "error",
  code: "unknown-field",
  message: "unknown field `survey.npz`",
  suggestion: null,
  ...over,
});

describe("line/column spans to editor ranges", () => {
  const doc = Text.of(["segment promoters", "  where survey.npz >= 9", ""]);

  it("maps 1-based lines and columns to offsets", () => {
    const [d] = toEditorDiagnostics(doc, [diag({ line: 2, column: 9, endLine: 2, endColumn: 19 })]);
    expect(doc.sliceString(d!.from, d!.to)).toBe("survey.npz");
    expect(d!.severity).toBe("error");
  });

  it("counts columns in characters, not UTF-16 units", () => {
    expect(columnOffset("\"😀\" x", 4)).toBe(4);
    const emoji = Text.of(["tags \"😀\" bad"]);
    const [d] = toEditorDiagnostics(emoji, [diag({ column: 10, endColumn: 13 })]);
    expect(emoji.sliceString(d!.from, d!.to)).toBe("bad");
  });

  it("widens an empty span to one character and clamps past the end", () => {
    const [empty] = toEditorDiagnostics(doc, [diag({ line: 2, column: 3, endLine: 2, endColumn: 3 })]);
    expect(empty!.to - empty!.from).toBe(1);
    const [past] = toEditorDiagnostics(doc, [diag({ line: 9, column: 1, endLine: 9, endColumn: 5 })]);
    expect(past!.to).toBeLessThanOrEqual(doc.length);
    expect(past!.from).toBeLessThan(past!.to);
    expect(position(doc, 1, 99)).toBe("segment promoters".length);
  });

  it("puts the suggestion in the message", () => {
    const [d] = toEditorDiagnostics(doc, [diag({ suggestion: "did you mean `survey.nps`?", severity: "warning" })]);
    expect(d!.message).toBe("unknown field `survey.npz` (did you mean `survey.nps`?)");
    expect(d!.severity).toBe("warning");
  });
});

describe("latestAfterPause", () => {
  function fakeTimers(): Timers & { fire(): void; pending: number } {
    const queue = new Map<number, () => void>();
    let next = 0;
    return {
      set(fn) {
        next += 1;
        queue.set(next, fn);
        return next;
      },
      clear(handle) {
        queue.delete(handle as number);
      },
      fire() {
        const fns = [...queue.values()];
        queue.clear();
        fns.forEach((fn) => fn());
      },
      get pending() {
        return queue.size;
      },
    };
  }

  it("runs once after a pause, with the last input", async () => {
    const timers = fakeTimers();
    const work = vi.fn(async (s: string) => s.length);
    const apply = vi.fn();
    const d = latestAfterPause(100, work, apply, () => {}, timers);
    d.push("a");
    d.push("ab");
    d.push("abc");
    expect(timers.pending).toBe(1);
    timers.fire();
    await Promise.resolve();
    await Promise.resolve();
    expect(work).toHaveBeenCalledTimes(1);
    expect(work).toHaveBeenCalledWith("abc");
    expect(apply).toHaveBeenCalledWith(3, "abc");
  });

  it("drops a slow answer once newer input arrived", async () => {
    const timers = fakeTimers();
    const resolvers: ((n: number) => void)[] = [];
    const work = (_: string) => new Promise<number>((resolve) => resolvers.push(resolve));
    const apply = vi.fn();
    const d = latestAfterPause(100, work, apply, () => {}, timers);
    d.push("old");
    timers.fire();
    d.push("new");
    timers.fire();
    resolvers[1]!(2);
    resolvers[0]!(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(apply).toHaveBeenCalledTimes(1);
    expect(apply).toHaveBeenCalledWith(2, "new");
  });

  it("reports failures of the latest call only, and cancel stops everything", async () => {
    const timers = fakeTimers();
    const fail = vi.fn();
    const d = latestAfterPause(100, async () => Promise.reject(new Error("boom")), () => {}, fail, timers);
    d.push(1);
    timers.fire();
    await new Promise((r) => setTimeout(r, 0));
    expect(fail).toHaveBeenCalledTimes(1);
    d.push(2);
    d.cancel();
    expect(timers.pending).toBe(0);
  });
});

/** A minimal StringStream over one line. */
function tokens(line: string): [TokenKind, string][] {
  let pos = 0;
  const stream: Stream = {
    eatSpace() {
      const start = pos;
      while (pos < line.length && /\s/.test(line[pos]!)) pos += 1;
      return pos > start;
    },
    match(pattern: RegExp) {
      const m = pattern.exec(line.slice(pos));
      if (!m || m.index !== 0) return null;
      pos += m[0].length;
      return m;
    },
    next() {
      pos += 1;
      return line[pos - 1];
    },
    skipToEnd() {
      pos = line.length;
    },
    peek() {
      return line[pos];
    },
  };
  const state = { afterKind: false };
  const out: [TokenKind, string][] = [];
  while (pos < line.length) {
    const start = pos;
    const kind = nextToken(stream, state);
    if (kind !== null) out.push([kind, line.slice(start, pos)]);
  }
  return out;
}

describe("highlighting tokens", () => {
  it("splits a definition line", () => {
    expect(tokens('segment lapsed_vip "Lapsed VIPs" # note')).toEqual([
      ["keyword", "segment"],
      ["definition", "lapsed_vip"],
      ["string", '"Lapsed VIPs"'],
      ["comment", "# note"],
    ]);
  });

  it("knows fields, aggregates, durations, dates, numbers and operators", () => {
    expect(tokens("and count(email.opened within 30d) >= 1_000")).toEqual([
      ["keyword", "and"],
      ["aggregate", "count"],
      ["operator", "("],
      ["field", "email.opened"],
      ["keyword", "within"],
      ["duration", "30d"],
      ["operator", ")"],
      ["operator", ">="],
      ["number", "1_000"],
    ]);
    expect(tokens("last(order).at between 2025-01-31 and today - 12.5%")).toContainEqual(["date", "2025-01-31"]);
    expect(tokens("trait.city starts-with \"Lo")).toEqual([
      ["field", "trait.city"],
      ["keyword", "starts-with"],
      ["string", '"Lo'],
    ]);
  });

  it("treats value.tier as a field, not the value keyword", () => {
    expect(tokens("where value.tier = \"top\"")[1]).toEqual(["field", "value.tier"]);
  });
});

const catalog: CompletionsDto = {
  fields: [
    { path: "survey.nps", ty: "number" },
    { path: "survey.satisfaction", ty: "enum(happy, unhappy)" },
    { path: "trait.city", ty: "string" },
    { path: "value.tier", ty: "string" },
  ],
  events: [
    { name: "email.opened", properties: [{ path: "at", ty: "date" }, { path: "campaign", ty: "string" }] },
    { name: "order", properties: [{ path: "at", ty: "date" }, { path: "amount", ty: "money" }] },
  ],
  segments: ["promoters", "detractors"],
  scores: ["engagement"],
  stages: ["acquisition", "lapsed"],
};

describe("completion", () => {
  const labels = (before: string, explicit = false) => completionsFor(before, catalog, explicit)?.options.map((o) => o.label);

  it("completes catalog fields by prefix, from the start of the word", () => {
    const found = completionsFor("  where survey.n", catalog);
    expect(found!.from).toBe("  where ".length);
    expect(found!.options.map((o) => o.label)).toEqual(["survey.nps"]);
    expect(found!.options[0]!.detail).toBe("number");
  });

  it("completes an event's properties after its name and a dot", () => {
    expect(labels("count(email.opened.")).toEqual(["email.opened.at", "email.opened.campaign"]);
  });

  it("offers segment names after `in segment`, score names after `score.`, stage names after `stage =`", () => {
    expect(labels("where in segment ", true)).toEqual(["promoters", "detractors"]);
    expect(labels("where in segment pro")).toEqual(["promoters", "detractors"]);
    expect(labels("where score.")).toEqual(["score.engagement"]);
    expect(labels('where stage = "', true)).toBeUndefined();
  });

  it("offers keywords and aggregates with the fields", () => {
    expect(labels("where cou")).toContain("count");
    expect(labels("  ow")).toEqual(["owner"]);
  });

  it("stays quiet in comments and strings, and on nothing typed unless asked", () => {
    expect(completionsFor("# survey.n", catalog)).toBeNull();
    expect(completionsFor('owner "survey.n', catalog)).toBeNull();
    expect(completionsFor("where ", catalog)).toBeNull();
    expect(completionsFor("where ", catalog, true)!.options.length).toBeGreaterThan(4);
    expect(insideString('tags "a", "b')).toBe(true);
    expect(insideString('tags "a\\"b"')).toBe(false);
  });
});

describe("list status and history", () => {
  const entry = (over: Partial<VocabularyEntryDto["summary"]>, errors = 0): VocabularyEntryDto => ({
    summary: {
      kind: "segment",
      name: "promoters",
      title: null,
      owner: null,
      description: null,
      tags: [],
      file: "segments.parlance",
      version: 2,
      deprecated: null,
      good: errors === 0,
      members: 10,
      ...over,
    },
    line: 1,
    errors,
    warnings: 0,
  });

  it("says which version stays published when a definition is broken", () => {
    expect(entryStatus(entry({}, 2))).toEqual({ label: "2 errors; v2 stays published", tone: "error" });
    expect(entryStatus(entry({ version: null }, 1)).label).toBe("1 error; not published");
    expect(entryStatus(entry({ deprecated: "use x" })).tone).toBe("warn");
    expect(entryStatus(entry({})).label).toBe("v2");
  });

  it("diffs the latest two versions by default and classifies diff lines", () => {
    const v = (version: number) => ({ version, author: "a", message: "m", createdAt: "", text: "" });
    expect(defaultDiffPair([v(1)])).toBeNull();
    expect(defaultDiffPair([v(3), v(1), v(2)])).toEqual({ from: 2, to: 3 });
    expect(diffLines("--- v1\n+++ v2\n@@ -1 +1 @@\n-a\n+b\n c\n").map((l) => l.kind)).toEqual([
      "hunk",
      "hunk",
      "hunk",
      "remove",
      "add",
      "context",
    ]);
  });
});
