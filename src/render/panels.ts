// Charts of several measures side by side, each panel with its own y axis titled by its measure.
// A vega-lite facet would give every panel one shared y title (or none), so a reader of a panel
// could not tell what its axis counts; an hconcat of filtered copies titles each.
// (No vega import: the job kinds load this without loading vega.)

/** One panel per value of `field`, in `panels` order; `panel(name)` builds each, its y axis titled `name`. */
export function panelsSideBySide(
  field: string,
  panels: string[],
  panel: (name: string) => Record<string, unknown>,
) {
  return {
    hconcat: panels.map((name) => ({ transform: [{ filter: { field, equal: name } }], ...panel(name) })),
    resolve: { scale: { y: 'independent' } },
  };
}
