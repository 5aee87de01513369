import type { CST, YAMLError } from 'yaml';

/** One syntax problem: where it starts (offset into the text) and what to do about it. */
export interface SyntaxProblem {
  readonly offset: number;
  readonly message: string;
}

/**
 * The one syntax error worth showing, at the place the problem starts: yaml reports an unclosed `{` where the
 * next block line begins, and an unquoted `${env:X}` in a flow map as three unexpected tokens. The common
 * slips get their fix spelled out; anything else is yaml's first error.
 */
export function rootSyntaxError(errors: readonly YAMLError[], text: string, cst: readonly CST.Token[]): SyntaxProblem {
  const first = [...errors].sort((a, b) => a.pos[0] - b.pos[0])[0]!;
  const at = first.pos[0];
  const plain = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return envInFlow(text, at) ?? blockScalarValue(text, at, plain) ?? unclosed(cst, at) ?? strayClose(text, at, plain) ?? { offset: at, message: plain };
}

/** `{ token: ${env:X} }`: the `{` of `${` opens a flow map inside the outer one. */
function envInFlow(text: string, at: number): SyntaxProblem | undefined {
  if (text[at] !== '{' || text[at - 1] !== '$') return undefined;
  const written = /^(\$\{[^}\s,]*\}?)[^\s,\]}]*/.exec(text.slice(at - 1))!;
  // The whole plain value gets quoted: `${env:CREDENTIALS_DIRECTORY}/token`, not just the reference.
  return { offset: at - 1, message: `an unquoted ${written[1]} inside { } or [ ] is read as YAML; quote it: "${written[0]}"` };
}

/** `> 200k`: `>` and `|` start a YAML block scalar, so a comparison written bare is not a value. */
function blockScalarValue(text: string, at: number, message: string): SyntaxProblem | undefined {
  let start: number | undefined;
  if (message.startsWith('Plain value cannot start with block scalar indicator') || message.startsWith('Block scalar header includes extra characters')) {
    start = at;
  } else if (message.startsWith('Not a YAML token')) {
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    const header = /(?:^|[\s:,[{-])([>|][0-9+-]*)[ \t]+$/.exec(text.slice(lineStart, at));
    if (header) start = lineStart + header.index + header[0].indexOf(header[1]!);
  }
  if (start === undefined) return undefined;
  const inFlow = message.startsWith('Plain value');
  const rest = text.slice(start).split('\n')[0]!;
  const end = inFlow ? rest.search(/[,\]}]|\s#/) : rest.search(/\s#/);
  const value = (end < 0 ? rest : rest.slice(0, end)).trim();
  const indicator = value[0]!;
  return { offset: start, message: `a value cannot start with a bare "${indicator}" (YAML reads it as a block scalar); quote it: ${JSON.stringify(value)}` };
}

/** The innermost `{` or `[` opened before the first error and never closed. */
function unclosed(cst: readonly CST.Token[], at: number): SyntaxProblem | undefined {
  let found: CST.FlowCollection | undefined;
  for (const token of cst) {
    for (const flow of flowCollections(token)) {
      const closed = flow.end.some((t) => t.type === 'flow-map-end' || t.type === 'flow-seq-end');
      if (!closed && flow.offset <= at && (!found || flow.offset > found.offset)) found = flow;
    }
  }
  if (!found) return undefined;
  const open = found.start.source;
  const [kind, close] = open === '{' ? ['flow map', '}'] : ['flow sequence', ']'];
  return { offset: found.offset, message: `this "${open}" is never closed: end the ${kind} with "${close}" (a ${kind} that goes on over several lines must indent them)` };
}

/** A `}` or `]` with nothing open. */
function strayClose(text: string, at: number, message: string): SyntaxProblem | undefined {
  if (!/^Unexpected flow-(map|seq)-end/.test(message)) return undefined;
  const close = text[at];
  const open = close === '}' ? '{' : '[';
  return { offset: at, message: `unexpected "${close}": there is no "${open}" open here` };
}

function* flowCollections(token: CST.Token | null | undefined): Generator<CST.FlowCollection> {
  if (!token) return;
  if (token.type === 'document') {
    yield* flowCollections(token.value);
  } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
    if (token.type === 'flow-collection') yield token;
    for (const item of token.items) {
      yield* flowCollections(item.key);
      yield* flowCollections(item.value);
    }
  }
}
