// The tfjs backends a config may name: here, below the models that train on them, so that
// tf/backend.ts need not import the models' training spec for the name.
export const BACKEND_NAMES = ['wasm', 'cpu', 'node'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
