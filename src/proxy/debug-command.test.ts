import { describe, expect, it } from "vitest";
import type { CanonicalMessage } from "../canonical/content.js";
import { latencyTestCount } from "./debug-command.js";

const user = (text: string): CanonicalMessage => ({ role: "user", content: [{ type: "text", text }] });
const count = (...messages: CanonicalMessage[]) => latencyTestCount({ messages });

describe("the chat debug command's message", () => {
  it("is Cody's or Tollgate's prefix and a latencytest of 1 to 100 in the last user message", () => {
    expect(count(user('cody_debug:::{"latencytest": 5}'))).toBe(5);
    expect(count(user('tollgate_debug:::{"latencytest":100}'))).toBe(100);
    expect(count(user('tollgate_debug:::{"latencytest": 1}'))).toBe(1);
    const answer: CanonicalMessage = { role: "assistant", content: [{ type: "text", text: "hi" }] };
    expect(count(user("hello"), answer, user('cody_debug:::{"latencytest": 3}'))).toBe(3);
  });

  it("anything malformed is an ordinary message", () => {
    for (const text of [
      'cody_debug:::{"latencytest": 0}',
      'cody_debug:::{"latencytest": 101}',
      'cody_debug:::{"latencytest": 2.5}',
      'cody_debug:::{"latencytest": "5"}',
      'cody_debug:::{"latencytest": 5, "more": 1}',
      'cody_debug:::{"latencytest": 5',
      "cody_debug:::[5]",
      'please run cody_debug:::{"latencytest": 5}',
      'other_debug:::{"latencytest": 5}',
    ]) {
      expect(count(user(text)), text).toBeUndefined();
    }
    // Only the last user message counts.
    expect(count(user('cody_debug:::{"latencytest": 5}'), user("thanks"))).toBeUndefined();
    expect(count()).toBeUndefined();
  });
});
