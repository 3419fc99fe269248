// The report's stylesheet, inlined in the page (no files to fetch, no scripts).
export const REPORT_CSS = `
body { font-family: system-ui, -apple-system, "DejaVu Sans", sans-serif; margin: 0 auto; max-width: 1400px; padding: 0 24px 48px; color: #1b1b1b; line-height: 1.45; }
header { border-bottom: 2px solid #ddd; margin-bottom: 12px; }
h1 { font-size: 1.6em; margin: 18px 0 4px; }
h2 { font-size: 1.3em; border-bottom: 1px solid #e4e4e4; padding-bottom: 4px; margin-top: 36px; }
h2 small, nav small { color: #777; font-weight: normal; font-size: 0.75em; }
h3 { font-size: 1.05em; margin: 22px 0 6px; color: #333; }
h4 { font-size: 0.95em; margin: 12px 0 4px; font-weight: 600; color: #444; }
nav ul { columns: 3; padding-left: 18px; }
.gallery { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure { margin: 0; max-width: 100%; }
figure img { max-width: 100%; height: auto; border: 1px solid #e4e4e4; display: block; }
.thumbs figure img { max-width: 160px; }
figcaption, .source, .note { font-size: 0.82em; color: #666; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: 0.85em; margin: 4px 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; white-space: nowrap; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.detail { white-space: normal; max-width: 640px; font-family: ui-monospace, monospace; font-size: 0.9em; }
tr.state-failed td { background: #fff0f0; }
.error { color: #b00020; }
.headline { font-size: 1.1em; font-weight: 600; }
pre { background: #f7f7f7; padding: 10px; overflow-x: auto; font-size: 0.85em; }
details { margin: 8px 0; }
.job { margin-left: 4px; }
td.claim { white-space: normal; max-width: 320px; }
tr.verdict-supported td.verdict { background: #e6f4ea; }
tr.verdict-not-supported td.verdict { background: #fde8e8; }
tr.verdict-inconclusive td.verdict { background: #f4f4f4; }
tr.verdict-insufficient-evidence td.verdict { background: #fff4e0; }
footer { margin-top: 40px; color: #888; font-size: 0.8em; }
`;
