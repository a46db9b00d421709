/** The shape of bench/results/latest.json, written by bench/run.ts and read by its smoke test. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The target for this figure, and whether this run met it. */
  target?: string;
  met?: boolean;
}

export interface BenchResults {
  date: string;
  feeds: number;
  items: number;
  database: 'postgres' | 'pglite';
  /** True when the compiled service (dist/) was measured. */
  compiled: boolean;
  figures: Figure[];
}
