/** The shortest time between two sweeps a 6-field (seconds) schedule may have: 2 s. */
export const MIN_SWEEP_SECONDS = 2;
