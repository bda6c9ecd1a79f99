/**
 * Escaping for every text format the lineage tools write. Names, types and descriptions come
 * from catalog text (a field name may be any string, a type may hold quotes and angle brackets),
 * so every piece of user text reaches DOT, Mermaid, HTML or an inline script through one of
 * these functions and can never end a string, a comment or a tag.
 */

/** One line of user text: line breaks and other control characters become spaces. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ");
}

/**
 * A DOT double-quoted ID (a vertex name, a graph name). Inside quotes DOT's scanner knows `\"`
 * and keeps `\\` as is; control characters are written as `\uXXXX` text, which a doubled user
 * backslash can never produce, so distinct names stay distinct IDs.
 */
export function dotId(text: string): string {
  const escaped = text
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `"${escaped}"`;
}

/**
 * A DOT label or tooltip from lines of user text, joined by `\n` (line breaks inside the text
 * become spaces). In labels Graphviz reads `\\` as a backslash (so `\n` in user text stays
 * text) and `&name;` as an entity (so `&` is written `&amp;`).
 */
export function dotLabel(lines: readonly string[]): string {
  const escaped = lines.map((line) => oneLine(line).replace(/&/g, "&amp;").replace(/\\/g, "\\\\").replace(/"/g, '\\"'));
  return `"${escaped.join("\\n")}"`;
}

/** Text for a `//` or `%%` line comment: one line, with no star-slash that could close a block comment. */
export function commentText(text: string): string {
  return oneLine(text).replace(/\*\//g, "* /");
}

/**
 * A Mermaid quoted label from lines of user text. Mermaid decodes `#code;` entity codes inside
 * labels, so every character that means something to Mermaid's parser or to HTML is written as
 * one; lines are joined with `<br/>`, the only markup in the label.
 */
export function mermaidLabel(lines: readonly string[]): string {
  const escaped = lines.map((line) => oneLine(line).replace(/["#&<>`%]/g, (c) => `#${c.charCodeAt(0)};`));
  return `"${escaped.join("<br/>")}"`;
}

/** A Mermaid vertex ID: `prefix_name` when the name is plain, an indexed ID otherwise. */
export function mermaidId(prefix: string, name: string, index: number): string {
  return /^[A-Za-z0-9_]+$/.test(name) ? `${prefix}_${name}` : `x${index}`;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text or an attribute value inside HTML. */
export function htmlText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON that can sit inside `<script type="application/json">` or a script block: `<`, `>` and
 * `&` are written as `\u` escapes, so neither `</script>` nor `<!--` can appear in it.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** A script's source for inlining into a `<script>` element: `</script` cannot close it early. */
export function scriptForInline(source: string): string {
  return source.replace(/<\/(script)/gi, "<\\/$1");
}
