/** An admin API refusal, carrying the server's own message (its `{"error":{"message",…}}` body). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The server's message from an error body, or a plain description of the status when it sent none. */
export async function apiErrorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown; code?: unknown; param?: unknown } };
    const error = body.error;
    if (error && typeof error.message === "string") {
      return new ApiError(
        error.message,
        response.status,
        typeof error.code === "string" ? error.code : undefined,
        typeof error.param === "string" ? error.param : undefined,
      );
    }
  } catch {
    // Not JSON (a proxy's error page): described by its status below.
  }
  const detail = text.trim() !== "" && text.length < 300 ? `: ${text.trim()}` : "";
  return new ApiError(
    `The gateway answered ${response.status} ${response.statusText}${detail}`,
    response.status,
  );
}

/** Any thrown value as a sentence for an alert. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
