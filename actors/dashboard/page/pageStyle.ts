/**
 * The dashboard's stylesheet (served as /dashboard.css; no inline style, the policy forbids it).
 * @example
 * ```ts
 * log(PAGE_CSS.length > 0); // true
 * ```
 * @module
 */

/**
 * The page's CSS: light and dark schemes, compact tables, numbers right-aligned.
 * @example
 * ```ts
 * const bytes = Buffer.byteLength(PAGE_CSS);
 * ```
 */
export const PAGE_CSS = String.raw`
:root { color-scheme: light dark; --bg: #fbfbfc; --fg: #1c2230; --muted: #667085; --line: #e3e6ec; --head: #f1f3f7; --accent: #2f6fde; --bad: #c0352b; --ok: #18794e; }
@media (prefers-color-scheme: dark) { :root { --bg: #14171d; --fg: #e6e8ee; --muted: #98a2b3; --line: #2a303b; --head: #1c2029; --accent: #6ea0ff; --bad: #ff7a6e; --ok: #4cc38a; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem 1.5rem; padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); background: var(--head); position: sticky; top: 0; z-index: 1; }
h1 { font-size: 1.15rem; margin: 0; }
h1 .sub { color: var(--muted); font-weight: 400; }
h2 { font-size: 1.05rem; margin: 1.4rem 0 .6rem; }
nav a { color: var(--accent); margin-right: .8rem; text-decoration: none; }
nav a:hover { text-decoration: underline; }
.connection { color: var(--muted); font-size: .9em; }
.connection.live { color: var(--ok); }
.connection.down { color: var(--bad); }
.token { margin-left: auto; }
.token input { font: inherit; padding: .15rem .4rem; }
main { padding: 0 1.2rem 2rem; }
.message { margin: .6rem 1.2rem 0; padding: .4rem .8rem; border-radius: 4px; border: 1px solid var(--line); }
.message.error { border-color: var(--bad); color: var(--bad); }
.message.ok { border-color: var(--ok); color: var(--ok); }
.message.floating { position: fixed; z-index: 2; margin: 0; max-width: 24rem; background: var(--bg); box-shadow: 0 2px 10px rgba(0, 0, 0, .25); }
.process { color: var(--muted); font-size: .85em; font-variant-numeric: tabular-nums; }
.panel[hidden], .table-head[hidden] { display: none; }
.grid td.error { max-width: 32rem; }
.grid td.error summary { cursor: pointer; color: var(--bad); overflow-wrap: anywhere; }
.grid td.error pre { margin: .3rem 0 0; font-size: .8em; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 16rem; overflow: auto; }
.grid tr.pending { opacity: .6; }
.grid a { color: var(--accent); }
.grid tr.self th::after { content: " (this node)"; color: var(--muted); font-weight: 400; }
.counters { display: flex; flex-wrap: wrap; gap: .5rem 1.6rem; margin: 0 0 .8rem; }
.counters div { display: flex; flex-direction: column; }
.counters dt { color: var(--muted); font-size: .8em; text-transform: uppercase; letter-spacing: .04em; }
.counters dd { margin: 0; font-size: 1.3em; font-variant-numeric: tabular-nums; }
.summary { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem 3rem; }
.spark { margin: 0; }
.spark svg { display: block; border: 1px solid var(--line); border-radius: 4px; background: var(--head); }
.spark polyline { fill: none; stroke: var(--accent); stroke-width: 1.5; }
.spark figcaption { color: var(--muted); font-size: .8em; }
.columns { display: flex; flex-wrap: wrap; gap: 0 2rem; }
.columns > div { flex: 1 1 24rem; }
table.grid { border-collapse: collapse; width: 100%; margin: .4rem 0 .2rem; font-variant-numeric: tabular-nums; }
.grid caption { text-align: left; font-weight: 600; padding: .3rem 0; }
.grid th, .grid td { text-align: left; padding: .25rem .55rem; border-bottom: 1px solid var(--line); vertical-align: top; }
.grid thead th { background: var(--head); font-weight: 600; font-size: .85em; color: var(--muted); white-space: nowrap; }
.grid tbody tr:hover { background: var(--head); }
.grid .num { text-align: right; }
.grid tr.group th { background: transparent; color: var(--fg); font-size: .9em; padding-top: .6rem; }
.grid td.args { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85em; max-width: 28rem; overflow-wrap: anywhere; }
.grid.hide-args .args { display: none; }
.grid td.state-ended, .grid td.state-failed, .grid td.state-disconnected, .grid td.state-closed { color: var(--bad); }
.grid td.disabled { color: var(--muted); font-style: italic; }
button.sort { all: unset; cursor: pointer; }
button.sort:focus-visible, button.act:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
button.sort::after { content: " ↕"; opacity: .4; }
th[aria-sort="ascending"] button.sort::after { content: " ↑"; opacity: 1; }
th[aria-sort="descending"] button.sort::after { content: " ↓"; opacity: 1; }
button.act { font: inherit; font-size: .85em; padding: .05rem .5rem; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: var(--bad); cursor: pointer; }
button.act:disabled { color: var(--muted); cursor: not-allowed; }
.empty { color: var(--muted); margin: .2rem 0 1rem; }
.table-head { display: flex; justify-content: flex-end; margin-top: 1rem; }
.toggle { color: var(--muted); font-size: .9em; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
