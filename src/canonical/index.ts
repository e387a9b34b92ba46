export * from "./content.js";
export * from "./embeddings.js";
export * from "./errors.js";
export * from "./finish-reason.js";
export * from "./request.js";
export * from "./response.js";
export * from "./stream-events.js";
export * from "./usage.js";
