/** The shape every plugin module (condition, action, notifier, source) exports: its name, docs, and a JSON schema beside its code. */
export interface PluginModule<Name extends string = string> {
  /** The name used in YAML (`tokens.total`, `stop`, `email`, `openclaw`). */
  readonly name: Name;
  /** One line for `clawwarden policies` and the README. */
  readonly description: string;
  /** JSON schema (draft-07, for ajv) of the value this plugin takes in config. */
  readonly schema: object;
  /** A YAML snippet showing typical use; the tests validate every example. */
  readonly example: string;
}
