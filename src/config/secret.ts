import { inspect } from "node:util";

const REDACTED = "<redacted>";

/**
 * A credential read from config. Printing, logging or serialising it shows `<redacted>`; only `reveal()` gives the
 * value, so a secret cannot leak through an error message or a JSON dump by accident.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    Object.freeze(this);
  }

  reveal(): string {
    return this.#value;
  }

  get isEmpty(): boolean {
    return this.#value.length === 0;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
