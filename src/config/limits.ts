/** Largest main config file, in bytes (checked with stat before reading): 256 KiB. */
export const MAX_CONFIG_BYTES = 256 * 1024;

/** Largest policy file, in bytes: 256 KiB. */
export const MAX_POLICY_FILE_BYTES = 256 * 1024;

/** Largest secret file (`{ file: … }`), in bytes: 64 KiB. */
export const MAX_SECRET_BYTES = 64 * 1024;

/** How long reading one config, policy or secret file may take before it is given up: 2 s. */
export const FILE_READ_TIMEOUT_MS = 2_000;

/** How many alias expansions (`*name`) one YAML file may make (yaml's `maxAliasCount`): 100. */
export const MAX_YAML_ALIASES = 100;

/** How deep collections may nest in one YAML file: 64 levels. */
export const MAX_YAML_DEPTH = 64;

/** At most this many errors are listed per load; the rest are counted in one last line: 100. */
export const MAX_REPORTED_ERRORS = 100;

/** The shortest time between two sweeps a 6-field (seconds) schedule may have: 2 s. */
export const MIN_SWEEP_SECONDS = 2;

/** `65536` → `64 KiB`, `1048576` → `1 MiB`, `1500` → `1500 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
