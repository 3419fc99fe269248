// What each published figure shows, by its file name (and kind where two kinds share a name), for
// the figures the homework does not number. A figure nobody listed here is captioned by its name.
import path from 'node:path';

interface Caption {
  kinds?: string[];
  name: RegExp;
  /** With `$1`, `$2` for the name's groups. */
  caption: string;
}

const CAPTIONS: readonly Caption[] = [
  { name: /^curves_all$/, caption: 'Loss and accuracy per epoch, training and validation, every seed' },
  { name: /^curves_seed=(N|\d+)$/, caption: 'Loss and accuracy per epoch of one seed' },
  { kinds: ['filters'], name: /^layer(\d+)_(\w+)$/, caption: 'Filters of convolution layer $1 ($2)' },
  {
    kinds: ['feature-maps'],
    name: /^layer(\d+)_(\w+)$/,
    caption: 'Feature maps of both digits at layer $1 ($2)',
  },
  { name: /^digit(\d)_test(\d+)$/, caption: 'Feature maps of a digit $1 (test image $2) at every layer' },
  { name: /^shift_strip$/, caption: 'A digit shifted left, right, up and down, with the label predicted' },
  { name: /^accuracy_vs_shift$/, caption: 'Test accuracy by shift in pixels, horizontal and vertical' },
  { name: /^prob_of_(\d+)$/, caption: 'P($1) by patch position' },
  { name: /^highest_prob$/, caption: 'Highest probability by patch position' },
  { name: /^label$/, caption: 'Predicted label by patch position' },
  { name: /^image$/, caption: 'The test digit the patch occludes' },
  { name: /^important_region$/, caption: 'The region where the patch pushes P(true label) below 0.5' },
  { name: /^adversarial$/, caption: 'Patch placements that change the label' },
  { name: /^adv_img$/, caption: 'Every misclassifying placement (file name: row, column, new label)' },
  { name: /^flip_share$/, caption: 'Share of correctly classified test digits one patch flips, by class' },
  { name: /^mean_drop_by_class$/, caption: 'Mean drop of P(true label) by patch position, per class' },
  { name: /^step_time$/, caption: 'Time per training step by batch size' },
  { name: /^deletion$/, caption: 'Deletion curves: P(target) as the most important pixels are removed' },
  { name: /^insertion$/, caption: 'Insertion curves: P(target) as the most important pixels are added' },
  {
    name: /^sanity$/,
    caption: 'Sanity check: maps of the trained model against maps with randomised weights',
  },
  { name: /^image=(\d+)$/, caption: 'Attribution maps of test image $1' },
  { name: /^contact_sheet$/, caption: "Contact sheet: each method's map of each image" },
];

/** The caption of a figure published as `name` (e.g. `figures/prob_of_6.png`) by a job of `kind`. */
export function figureCaption(name: string, kind: string): string {
  const base = path.posix.basename(name).replace(/\.(png|svg|jpe?g|gif)$/i, '');
  const known = CAPTIONS.find((c) => (!c.kinds || c.kinds.includes(kind)) && c.name.test(base));
  if (known) return base.replace(known.name, known.caption);
  const words = base.replace(/[_-]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
