/**
 * The token lives in sessionStorage only: it is gone when the tab closes, is never sent as a cookie and is
 * not shared with other tabs or kept on disk as localStorage would be.
 */
const KEY = "tollgate.console.token";

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Storage unavailable: nothing was kept.
  }
}
