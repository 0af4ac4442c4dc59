/**
 * The parsed form of a VirtualHome script line, shared by the parser, the executor and
 * everything that prints or grounds actions.
 */
export interface ScriptArg {
  /** The `<name>` as written, lower-cased with spaces as `_` (the reference's normalisation). */
  name: string;
  /** The node id: `(n)` → n; the dataset's `(instance.id)` → id. */
  id: number;
  /** The instance number of the dataset form `(instance.id)`, when written that way. */
  instance?: number;
}

export interface ScriptLine {
  /** Upper-case enum name, aliases resolved (LOOKAT_MEDIUM → LOOKAT). */
  action: string;
  args: ScriptArg[];
  /** 1-based line index within its script (the `[n]` in reference messages). */
  index: number;
  /** The source text of the line. */
  text: string;
}
