// The homework (reference/homework3.txt, Problems 3–7) as data: each figure and number it prints,
// its value as printed, the experiment kind of the config that answers it, the published figure
// that shows it (whose caption this becomes) and how to read probelab's value from the published
// tables (./measures.ts). A run is read against every line whose experiment kind its config has;
// the first experiment of that kind answers it. The report's pages follow these chapters.
import type { Measure } from './measures';

export interface Chapter {
  id: string;
  title: string;
}

export const HOMEWORK_CHAPTERS: readonly Chapter[] = [
  { id: 'problem-3', title: 'Problem 3: the CNN and what it sees (Figures 1–6)' },
  { id: 'problem-4', title: 'Problem 4: occlusion (Figures 7–10)' },
  { id: 'problem-5', title: 'Problem 5: back-propagation through time in an RNN' },
  { id: 'problem-7', title: 'Problem 7: the LSTM' },
];

export interface HomeworkItem {
  chapter: string;
  /** What the homework shows, in its words; for a figure ("Figure 7: …"), the caption it gets. */
  item: string;
  /** Which number of a figure the line compares, when it is not the figure itself. */
  detail?: string;
  /** Its value as printed ('' for a picture without a number). */
  homework: string;
  /** The config experiment that answers it: its kind, and its mode where the kind has several. */
  kind: string;
  mode?: string;
  /** The published figure that shows it (a file name, matched at the end of the published path). */
  figure?: string;
  /** How probelab's value is read from the experiment's published tables. */
  measure?: Measure;
}

export const HOMEWORK: readonly HomeworkItem[] = [
  {
    chapter: 'problem-3',
    item: "Figure 1: the network's structure",
    detail: 'parameters',
    homework: '2,390',
    kind: 'train',
    measure: { read: 'sum', file: 'tables/model_summary.csv', column: 'params', format: 'count' },
  },
  {
    chapter: 'problem-3',
    item: 'training accuracy',
    homework: '95.62 %',
    kind: 'train',
    measure: { read: 'seed-rows', file: 'tables/accuracy.csv', column: 'train_accuracy', format: 'percent' },
  },
  {
    chapter: 'problem-3',
    item: 'test accuracy',
    homework: '95.92 %',
    kind: 'train',
    measure: { read: 'seed-rows', file: 'tables/accuracy.csv', column: 'test_accuracy', format: 'percent' },
  },
  {
    chapter: 'problem-3',
    item: 'Figure 2: loss and accuracy curves',
    detail: 'validation accuracy after the last epoch',
    homework: '',
    kind: 'curves',
    figure: 'curves_all.png',
    measure: { read: 'last-per-group', file: 'tables/history.csv', group: 'model', column: 'val_accuracy' },
  },
  {
    chapter: 'problem-3',
    item: 'Figure 3: filters of conv2d layers 1, 2 and 3',
    detail: 'filters per layer',
    homework: '12, 12 and 8',
    kind: 'filters',
    figure: 'layer1_conv2d.png',
    measure: { read: 'count-by', file: 'tables/filter_summary.csv', column: 'layer' },
  },
  {
    chapter: 'problem-3',
    item: 'Figure 4: feature maps of a digit 0',
    homework: '',
    kind: 'feature-maps',
    figure: 'digit0_test3.png',
  },
  {
    chapter: 'problem-3',
    item: 'Figure 5: feature maps of a digit 8',
    homework: '',
    kind: 'feature-maps',
    figure: 'digit8_test61.png',
  },
  {
    chapter: 'problem-3',
    item: 'Figure 6: the digit 7 shifted left and right',
    detail: 'shifts still classified as 7',
    homework: 'still classified as 7',
    kind: 'shift',
    figure: 'shift_strip.png',
    measure: { read: 'shifts-still-right', file: 'tables/shifted_predictions.csv' },
  },
  {
    chapter: 'problem-3',
    item: 'test accuracy of digits shifted 2 px right (the homework shows one digit)',
    homework: '',
    kind: 'shift',
    figure: 'accuracy_vs_shift.png',
    measure: {
      read: 'row-at',
      file: 'tables/accuracy_vs_shift.csv',
      key: 'shift',
      equals: '2',
      column: 'horizontal_accuracy',
    },
  },
  {
    chapter: 'problem-4',
    item: 'Figure 7: P(6) by patch position',
    detail: 'its lowest value',
    homework: '0.002528',
    kind: 'occlusion',
    mode: 'maps',
    figure: 'prob_of_6.png',
    measure: { read: 'grid-min', file: 'tables/prob_of_6.csv' },
  },
  {
    chapter: 'problem-4',
    item: 'Figure 8: highest probability by patch position',
    detail: 'its lowest value',
    homework: '0.003704',
    kind: 'occlusion',
    mode: 'maps',
    figure: 'highest_prob.png',
    measure: { read: 'grid-min', file: 'tables/highest_prob.csv' },
  },
  {
    chapter: 'problem-4',
    item: 'Figure 9: label by patch position',
    detail: 'the region where P(6) < 0.5',
    homework: 'rows 4–22, columns 5–20',
    kind: 'occlusion',
    mode: 'maps',
    figure: 'label.png',
    measure: { read: 'region', file: 'tables/important_region.csv' },
  },
  {
    chapter: 'problem-4',
    item: 'Figure 10: patch placements that change the label',
    detail: 'new label: placements',
    homework: 'one shown, read as 5',
    kind: 'occlusion',
    mode: 'maps',
    figure: 'adversarial.png',
    measure: { read: 'labels', file: 'tables/adversarial_counts.csv' },
  },
  {
    chapter: 'problem-4',
    item: 'correctly classified test digits that one 8×8 black patch flips',
    homework: '',
    kind: 'occlusion',
    mode: 'population',
    figure: 'flip_share.png',
    measure: {
      read: 'share-of-sums',
      file: 'tables/population.csv',
      part: 'flipped',
      whole: 'correct_clean',
    },
  },
  {
    chapter: 'problem-5',
    item: 'Problem 5 (1): L',
    homework: '0.255473337380186',
    kind: 'rnn-gradients',
    measure: { read: 'quantity', file: 'tables/loss.csv', quantity: 'loss', digits: 15 },
  },
  {
    chapter: 'problem-5',
    item: 'Problem 5 (3): dL/db',
    homework: '[0.00010432, -0.00454527]',
    kind: 'rnn-gradients',
    measure: { read: 'vector', file: 'tables/update.csv', column: 'gradient', decimals: 8 },
  },
  {
    chapter: 'problem-5',
    item: 'Problem 5 (4): b after one step of gradient descent',
    homework: '[-1.00000021, 1.00000909]',
    kind: 'rnn-gradients',
    measure: { read: 'vector', file: 'tables/update.csv', column: 'after', decimals: 8 },
  },
  {
    chapter: 'problem-5',
    item: 'Problem 5 (5): L after the step',
    homework: '0.25547329603987234',
    kind: 'rnn-gradients',
    measure: { read: 'quantity', file: 'tables/loss.csv', quantity: 'loss after update', digits: 17 },
  },
  {
    chapter: 'problem-5',
    item: 'Problem 5: difference L after − L before the step',
    homework: '−4.134e-8',
    kind: 'rnn-gradients',
    measure: {
      read: 'quantity-difference',
      file: 'tables/loss.csv',
      quantity: 'loss after update',
      minus: 'loss',
    },
  },
  {
    chapter: 'problem-5',
    item: 'Problem 5: the gradient checked independently',
    homework: '',
    kind: 'rnn-gradients',
    measure: { read: 'checks', file: 'tables/check_summary.csv' },
  },
  {
    chapter: 'problem-7',
    item: 'Problem 7: L',
    homework: '0.2946636237723147',
    kind: 'lstm-gradients',
    measure: { read: 'quantity', file: 'tables/loss.csv', quantity: 'loss', digits: 16 },
  },
  {
    chapter: 'problem-7',
    item: "Problem 7: dL/db_f by the homework's derivation",
    homework: '[0.00013073, -0.01837409]',
    kind: 'lstm-gradients',
    measure: {
      read: 'vector',
      file: 'tables/forget_bias_homework_vs_true.csv',
      column: 'homework',
      where: { step: 'total' },
      decimals: 8,
    },
  },
  {
    chapter: 'problem-7',
    item: 'Problem 7: dL/db_f, the true gradient',
    homework: '',
    kind: 'lstm-gradients',
    measure: {
      read: 'vector',
      file: 'tables/forget_bias_homework_vs_true.csv',
      column: 'true',
      where: { step: 'total' },
      decimals: 8,
    },
  },
  {
    chapter: 'problem-7',
    item: "Problem 7: the homework's dL/db_f as a ratio of the true one",
    homework: '',
    kind: 'lstm-gradients',
    measure: {
      read: 'ratio',
      file: 'tables/forget_bias_homework_vs_true.csv',
      column: 'homework',
      over: 'true',
      where: { step: 'total' },
    },
  },
  {
    chapter: 'problem-7',
    item: 'Problem 7: the gradient checked independently',
    homework: '',
    kind: 'lstm-gradients',
    measure: { read: 'checks', file: 'tables/check_summary.csv' },
  },
];
