// The report's stylesheet, inlined in each page (no files to fetch, no scripts): a sticky side
// navigation beside the content, figures with their captions, seed choosers made of radio buttons.

/** Seed choosers show the panel of the checked button; rules for up to this many seeds. */
const MAX_SEED_TABS = 12;

const seedRules = Array.from(
  { length: MAX_SEED_TABS },
  (_, i) => `.seeds > input:nth-of-type(${i + 1}):checked ~ .panel:nth-of-type(${i + 1})`,
).join(',\n');

export const REPORT_CSS = `
body { font-family: system-ui, -apple-system, "DejaVu Sans", sans-serif; margin: 0; color: #1b1b1b; line-height: 1.45; }
.layout { display: grid; grid-template-columns: 270px minmax(0, 1fr); max-width: 1600px; margin: 0 auto; }
nav { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow-y: auto; padding: 12px 14px 24px; border-right: 1px solid #e4e4e4; font-size: 0.85em; box-sizing: border-box; }
nav h2 { font-size: 1.05em; margin: 4px 0 8px; border: 0; }
nav h3 { font-size: 0.9em; margin: 14px 0 4px; color: #555; }
nav ul { list-style: none; padding-left: 0; margin: 0; }
nav ul ul { padding-left: 12px; }
nav li { margin: 2px 0; }
nav li.here > a, nav ul.here > li > a { font-weight: 600; }
nav li.figure a { color: #555; }
main { padding: 0 28px 48px; min-width: 0; }
@media (max-width: 900px) { .layout { display: block; } nav { position: static; max-height: none; border-right: 0; border-bottom: 1px solid #e4e4e4; } }
header { border-bottom: 2px solid #ddd; margin-bottom: 8px; }
h1 { font-size: 1.5em; margin: 14px 0 2px; }
header p { margin: 2px 0 8px; }
h2 { font-size: 1.3em; border-bottom: 1px solid #e4e4e4; padding-bottom: 4px; margin-top: 28px; }
h2 small { color: #777; font-weight: normal; font-size: 0.75em; }
#homework h2 { margin-top: 12px; }
h3 { font-size: 1.05em; margin: 22px 0 6px; color: #333; }
h4 { font-size: 0.95em; margin: 12px 0 4px; font-weight: 600; color: #444; }
.figures { display: flex; flex-wrap: wrap; gap: 22px; align-items: flex-start; }
figure { margin: 0; max-width: 100%; }
figure.slot { flex: 1 1 420px; max-width: 100%; }
figure.slot > figcaption { font-size: 0.95em; color: #222; margin-bottom: 4px; }
figure img { max-width: 100%; height: auto; border: 1px solid #e4e4e4; display: block; }
.gallery { display: flex; flex-wrap: wrap; gap: 10px; }
.thumbs figure img { max-width: 120px; }
.thumbs figcaption, .source, .note { font-size: 0.82em; color: #666; }
.seeds > input { position: absolute; opacity: 0; }
.seeds > label { display: inline-block; padding: 2px 10px; margin: 0 4px 6px 0; border: 1px solid #ccc; border-radius: 4px; cursor: pointer; font-size: 0.85em; }
.seeds > input:checked + label { background: #1b1b1b; color: #fff; border-color: #1b1b1b; }
.seeds > input:focus-visible + label { outline: 2px solid #3b7ddd; }
.seeds > .panel { display: none; }
${seedRules} { display: block; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: 0.85em; margin: 4px 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; white-space: nowrap; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.homework td { white-space: normal; }
table.homework td:first-child { max-width: 420px; }
table.homework td.num { max-width: 360px; }
td.detail { white-space: normal; max-width: 640px; font-family: ui-monospace, monospace; font-size: 0.9em; }
tr.state-failed td { background: #fff0f0; }
.error { color: #b00020; }
.headline { font-size: 1.1em; font-weight: 600; }
pre { background: #f7f7f7; padding: 10px; overflow-x: auto; font-size: 0.85em; }
details { margin: 10px 0; }
details.data > summary, details > summary { cursor: pointer; color: #333; }
ul.files { font-size: 0.85em; }
.steps { margin-top: 32px; }
td.claim { white-space: normal; max-width: 320px; }
tr.verdict-supported td.verdict { background: #e6f4ea; }
tr.verdict-not-supported td.verdict { background: #fde8e8; }
tr.verdict-inconclusive td.verdict { background: #f4f4f4; }
tr.verdict-insufficient-evidence td.verdict { background: #fff4e0; }
footer { margin-top: 40px; color: #888; font-size: 0.8em; }
`;
