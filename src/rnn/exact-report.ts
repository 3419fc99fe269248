// What each cell's exact computation hands the exact job.
import type { Vector } from './linear-algebra';
import type { NamedParameters } from './parameters';
import type { Row } from './gradient-tables';

export interface CellReport {
  loss: number;
  /** Every plain parameter and every tie. */
  gradients: NamedParameters;
  /** Cell-specific tables, by path relative to the job folder. */
  tables: Record<string, Row[]>;
  /** Cell-specific values for tables/gradients.json. */
  details: Record<string, unknown>;
  /** The homework's approximate dL/db_f, when asked for. */
  homework?: { perStep: Vector[]; total: Vector };
}
