// Types for the one function of the console's format module that Node-side tests import.
export function shown(text: unknown): string;
