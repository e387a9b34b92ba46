/** The client APIs Tollgate answers (DESIGN §9: one ingress each). A file of its own: the outcome names it too. */
export type IngressName = "openai" | "anthropic" | "openai-responses" | "cody";
