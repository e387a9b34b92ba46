/**
 * The header a Sourcegraph instance names its feature in (`chat_completions`, `code_completions`, `embeddings`;
 * reference/cody.md §1.3): read by the Cody ingress, sent by the sourcegraph provider.
 */
export const codyFeatureHeader = "x-sourcegraph-feature";
