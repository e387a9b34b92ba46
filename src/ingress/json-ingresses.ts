import { errorBody } from "../errors/index.js";
import type { Ingress } from "./ingress.js";

const jsonType = "application/json; charset=utf-8";

function jsonIngress(name: "openai" | "anthropic" | "openai-responses"): Ingress {
  return {
    name,
    renderError: (error) => ({
      status: error.status,
      contentType: jsonType,
      body: errorBody(name, { code: error.code, message: error.message, param: error.param }),
    }),
  };
}

/** OpenAI's and Anthropic's APIs: JSON errors in the dialect's shape (DESIGN §5), nothing before auth. */
export const openaiIngress = jsonIngress("openai");
export const anthropicIngress = jsonIngress("anthropic");
export const responsesIngress = jsonIngress("openai-responses");
