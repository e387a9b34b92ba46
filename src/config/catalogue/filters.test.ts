import { expect, test } from "vitest";
import { matchesRule, passesFilters } from "./filters.js";

const REF = "anthropic::2023-06-01::claude-sonnet-4-5";

test.each([
  ["*", true],
  ["anthropic::*", true],
  ["openai::*", false],
  ["*sonnet-4-5", true],
  ["*haiku", false],
  ["*sonnet*", true],
  ["*gpt*", false],
  [REF, true],
  ["anthropic::2023-06-01::claude", false],
  // Rules shorter than 3 characters other than `*` are ignored (match nothing), as in Cody.
  ["a*", false],
  ["*5", false],
  ["**", false],
  ["*4-*", true],
])("rule %s matches %s: %s", (rule, expected) => {
  expect(matchesRule(rule, REF)).toBe(expected);
});

test("statusFilter, allow and deny combine as in Cody", () => {
  const model = { ref: REF, status: "stable" };
  expect(passesFilters(model, undefined)).toBe(true);
  expect(passesFilters(model, { statusFilter: ["beta"] })).toBe(false);
  expect(passesFilters(model, { allow: [] })).toBe(true);
  expect(passesFilters(model, { allow: ["openai::*"] })).toBe(false);
  expect(passesFilters(model, { allow: ["*"], deny: ["*sonnet*"] })).toBe(false);
  expect(passesFilters(model, { statusFilter: ["stable"], allow: ["anthropic::*"], deny: ["*haiku*"] })).toBe(
    true,
  );
});
