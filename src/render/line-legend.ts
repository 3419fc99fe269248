// The legend of a line chart: entries drawn as short lines (dashed where the line is), since
// vega-lite draws a filled circle for a line with points, whatever its dash. (A module of its
// own: the job kinds import it without loading vega.)
export const LINE_LEGEND = { symbolType: 'stroke', symbolSize: 400, symbolStrokeWidth: 2 } as const;

/** For a strokeDash legend that has no colour of its own: vega would draw its swatches in no colour at all. */
export const DASH_LEGEND = {
  ...LINE_LEGEND,
  encode: { symbols: { update: { stroke: { value: '#444' } } } },
} as const;
