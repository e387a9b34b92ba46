/** One nginx directive: its name, its arguments, and the directives of its block when it has one. */
export interface NginxDirective {
  name: string;
  args: string[];
  block?: NginxDirective[];
}

/**
 * nginx's configuration syntax (words, quoted strings, `;`-terminated directives, `{}` blocks, `#` comments),
 * enough to read deploy/nginx.conf's directives in tests: nginx itself is not installed where they run.
 */
export function parseNginxConfig(text: string): NginxDirective[] {
  const tokens = [...text.matchAll(/#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([{};])|([^\s{};"'#]+)/g)]
    .filter((match) => !match[0].startsWith("#"))
    .map((match) => ({
      word: match[1] ?? match[2] ?? match[4],
      punctuation: match[3],
    }));
  let position = 0;
  const block = (nested: boolean): NginxDirective[] => {
    const directives: NginxDirective[] = [];
    while (position < tokens.length) {
      const first = tokens[position++]!;
      if (first.punctuation === "}") {
        if (!nested) throw new Error("unexpected }");
        return directives;
      }
      if (first.word === undefined) throw new Error(`unexpected ${first.punctuation}`);
      const args: string[] = [];
      for (;;) {
        const token = tokens[position++];
        if (!token) throw new Error(`directive ${first.word} is not terminated`);
        if (token.word !== undefined) args.push(token.word);
        else if (token.punctuation === ";") {
          directives.push({ name: first.word, args });
          break;
        } else if (token.punctuation === "{") {
          directives.push({ name: first.word, args, block: block(true) });
          break;
        } else throw new Error(`unexpected } in directive ${first.word}`);
      }
    }
    if (nested) throw new Error("a block is not closed");
    return directives;
  };
  return block(false);
}

/** The directives named `name` inside `directives`, at any depth. */
export function findDirectives(directives: NginxDirective[], name: string): NginxDirective[] {
  return directives.flatMap((directive) => [
    ...(directive.name === name ? [directive] : []),
    ...findDirectives(directive.block ?? [], name),
  ]);
}
