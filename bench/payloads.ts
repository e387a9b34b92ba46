// Request bodies of about 1 KB, in both client dialects, and the tokens the bench actor uses.
import { randomBytes } from "node:crypto";

const SYSTEM =
  "You are a careful assistant for a software company. Answer briefly, cite the file you relied on, and " +
  "say when you are unsure. Prefer TypeScript examples. Never invent APIs. Keep answers under two hundred " +
  "words unless the user asks for more detail. Use Markdown code fences for code. ";
const USER =
  "Here is a function that parses a duration such as 10s, 5m or 1h into milliseconds and a test that fails " +
  "for the input 1h30m. Explain why it fails and propose a fix that keeps the function small and readable: " +
  "function parse(text) { const m = /^(\\d+)(ms|s|m|h)$/.exec(text); return m ? Number(m[1]) * unit[m[2]] : NaN }";

export const BENCH_TOKEN = `tg_bench_${randomBytes(12).toString("hex")}`;

export function openaiChat(model: string, stream: boolean): string {
  return JSON.stringify({
    model,
    messages: [
      { role: "system", content: SYSTEM + SYSTEM },
      { role: "user", content: USER },
    ],
    max_tokens: 400,
    temperature: 0.2,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

export function anthropicMessages(model: string, stream: boolean): string {
  return JSON.stringify({
    model,
    system: SYSTEM + SYSTEM,
    messages: [{ role: "user", content: USER }],
    max_tokens: 400,
    temperature: 0.2,
    ...(stream ? { stream: true } : {}),
  });
}
