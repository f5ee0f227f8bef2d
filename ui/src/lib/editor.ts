// CodeMirror 6 for the vocabulary language: highlighting (a StreamLanguage
// over nextToken), completion (completionsFor), lint ranges pushed from the
// Rust checker, and colours from the app's CSS variables so light and dark
// themes follow the rest of the app.
//
// Why a shadow root: CodeMirror's styles are generated at run time (style-mod).
// In a document it adds them as a <style> element, which the CSP's
// `style-src 'self'` blocks (the editor then renders unstyled); in a shadow
// root it uses a constructable style sheet (adoptedStyleSheets), which CSP does
// not govern. So the editor lives in a shadow root of its host element and the
// CSP stays as strict as it is. CSS variables inherit into it, so the app's
// light and dark colours still apply.

import { autocompletion, closeBrackets, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { HighlightStyle, StreamLanguage, bracketMatching, syntaxHighlighting } from "@codemirror/language";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { EditorState, type Extension } from "@codemirror/state";
import { EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";
import { tags } from "@lezer/highlight";
import type { CompletionsDto } from "./bindings/CompletionsDto";
import { completionsFor, nextToken, type EditorDiagnostic, type TokenKind } from "./vocabulary";

const TOKEN_TAGS: Record<Exclude<TokenKind, null>, string> = {
  comment: "comment",
  string: "string",
  date: "number",
  duration: "unit",
  number: "number",
  keyword: "keyword",
  aggregate: "function",
  operator: "operator",
  field: "propertyName",
  name: "variableName",
  definition: "definition",
};

export const parlanceLanguage = StreamLanguage.define<{ afterKind: boolean }>({
  name: "parlance",
  startState: () => ({ afterKind: false }),
  token: (stream, state) => {
    const kind = nextToken(stream, state);
    return kind === null ? null : TOKEN_TAGS[kind];
  },
  languageData: { commentTokens: { line: "#" } },
  tokenTable: {
    definition: tags.definition(tags.variableName),
    unit: tags.unit,
  },
});

const highlight = HighlightStyle.define([
  { tag: tags.comment, color: "var(--color-text-faint)", fontStyle: "italic" },
  { tag: tags.string, color: "var(--code-string, #2f7d32)" },
  { tag: [tags.number, tags.unit], color: "var(--code-number, #9a4d00)" },
  { tag: tags.keyword, color: "var(--color-accent)", fontWeight: "600" },
  { tag: tags.function(tags.variableName), color: "var(--code-function, #7b3fa0)" },
  { tag: tags.propertyName, color: "var(--code-field, #1f5fa8)" },
  { tag: tags.definition(tags.variableName), fontWeight: "700" },
  { tag: tags.operator, color: "var(--color-text-muted)" },
]);

const theme = EditorView.theme({
  "&": {
    color: "var(--color-text)",
    backgroundColor: "var(--color-surface)",
    border: "1px solid var(--color-border)",
    borderRadius: "var(--radius-md)",
    fontSize: "var(--text-sm)",
    height: "100%",
  },
  "&.cm-focused": { outline: "2px solid var(--color-focus)", outlineOffset: "1px" },
  ".cm-scroller": { fontFamily: "var(--font-mono)", lineHeight: "1.6" },
  ".cm-content": { caretColor: "var(--color-text)" },
  ".cm-cursor": { borderLeftColor: "var(--color-text)" },
  ".cm-gutters": {
    backgroundColor: "var(--color-surface-sunken)",
    color: "var(--color-text-faint)",
    borderRight: "1px solid var(--color-border)",
  },
  ".cm-activeLine": { backgroundColor: "color-mix(in srgb, var(--color-accent-soft) 45%, transparent)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground": {
    backgroundColor: "color-mix(in srgb, var(--color-focus) 30%, transparent)",
  },
  // CodeMirror draws lint underlines and gutter markers as data: SVG images,
  // which the CSP's img-src 'self' blocks: draw them with CSS instead.
  ".cm-lintRange": { backgroundImage: "none", textDecorationLine: "underline", textDecorationStyle: "wavy", textDecorationSkipInk: "none" },
  ".cm-lintRange-error": { textDecorationColor: "var(--color-danger-text, #b3261e)" },
  ".cm-lintRange-warning": { textDecorationColor: "var(--code-number, #9a4d00)" },
  ".cm-lint-marker": { content: "none", width: "0.6em", height: "0.6em", borderRadius: "50%", margin: "0.45em 0.2em" },
  ".cm-lint-marker-error": { content: "none", backgroundColor: "var(--color-danger-text, #b3261e)" },
  ".cm-lint-marker-warning": { content: "none", backgroundColor: "var(--code-number, #9a4d00)" },
  ".cm-tooltip": {
    backgroundColor: "var(--color-surface)",
    color: "var(--color-text)",
    border: "1px solid var(--color-border-strong)",
  },
  ".cm-tooltip-autocomplete > ul > li[aria-selected]": {
    backgroundColor: "var(--color-accent)",
    color: "var(--color-on-accent)",
  },
});

export interface EditorHooks {
  /** Called with the whole text after every change. */
  onChange(text: string): void;
  /** The catalog to complete from, when loaded. */
  completions(): CompletionsDto | null;
  /** The editor's accessible name. */
  label: string;
}

function completionSource(hooks: EditorHooks) {
  return (context: CompletionContext): CompletionResult | null => {
    const catalog = hooks.completions();
    if (!catalog) return null;
    const line = context.state.doc.lineAt(context.pos);
    const before = context.state.sliceDoc(Math.max(0, line.from - 200), context.pos);
    const found = completionsFor(before, catalog, context.explicit);
    if (!found || found.options.length === 0) return null;
    return {
      from: context.pos - (before.length - found.from),
      options: found.options,
      validFor: /^[\w.]*$/,
    };
  };
}

function extensions(hooks: EditorHooks): Extension[] {
  return [
    lineNumbers(),
    history(),
    highlightActiveLine(),
    bracketMatching(),
    closeBrackets(),
    parlanceLanguage,
    syntaxHighlighting(highlight),
    // No icons: they are glyphs the default fonts lack (they showed as boxes).
    autocompletion({ override: [completionSource(hooks)], icons: false }),
    lintGutter(),
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    theme,
    EditorView.contentAttributes.of({ "aria-label": hooks.label, "data-testid": "vocab-editor-content" }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) hooks.onChange(update.state.doc.toString());
    }),
  ];
}

/** What each editor was made with, to start it afresh on another file. */
const extensionsOf = new WeakMap<EditorView, Extension[]>();

/** A new editor in `parent` showing `text`. */
export function createEditor(host: HTMLElement, text: string, hooks: EditorHooks): EditorView {
  const ext = extensions(hooks);
  const root = host.shadowRoot ?? host.attachShadow({ mode: "open" });
  const view = new EditorView({ parent: root, root, state: EditorState.create({ doc: text, extensions: ext }) });
  extensionsOf.set(view, ext);
  return view;
}

/** Shows another text, with a fresh undo history (the old file's edits do not apply). */
export function replaceText(view: EditorView, text: string, line: number | null = null): void {
  view.setState(EditorState.create({ doc: text, extensions: extensionsOf.get(view) ?? [] }));
  if (line !== null) scrollToLine(view, line);
}

/** Moves the cursor to the start of a 1-based line and scrolls it to the top. */
export function scrollToLine(view: EditorView, line: number): void {
  const n = Math.min(Math.max(1, line), view.state.doc.lines);
  const pos = view.state.doc.line(n).from;
  view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: "start", yMargin: 24 }) });
}

/** Shows the checker's diagnostics as lint ranges. */
export function showDiagnostics(view: EditorView, diagnostics: readonly EditorDiagnostic[]): void {
  const docLength = view.state.doc.length;
  const clamped: Diagnostic[] = diagnostics.map((d) => ({
    from: Math.min(d.from, docLength),
    to: Math.min(d.to, docLength),
    severity: d.severity,
    message: d.message,
    source: "parlance",
  }));
  view.dispatch(setDiagnostics(view.state, clamped));
}

