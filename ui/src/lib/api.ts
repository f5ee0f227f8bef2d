// The app's commands (src-tauri/src/main.rs), one function each. Every command
// either resolves with its DTO or rejects with an ApiError {code, message}.

import { Channel, invoke } from "@tauri-apps/api/core";
import type { ApiError } from "./bindings/ApiError";
import type { AppInfoDto } from "./bindings/AppInfoDto";
import type { DemoProgressDto } from "./bindings/DemoProgressDto";
import type { DemoSummaryDto } from "./bindings/DemoSummaryDto";
import type { OverviewDto } from "./bindings/OverviewDto";

export function overview(): Promise<OverviewDto> {
  return call<OverviewDto>("overview");
}

export function appInfo(): Promise<AppInfoDto> {
  return call<AppInfoDto>("app_info");
}

/**
 * Creates the demo warehouse if nothing was ever landed, reporting progress;
 * resolves with null when the warehouse already had data.
 */
export function ensureDemo(onProgress: (progress: DemoProgressDto) => void): Promise<DemoSummaryDto | null> {
  const channel = new Channel<DemoProgressDto>();
  channel.onmessage = onProgress;
  return call<DemoSummaryDto | null>("ensure_demo", { onProgress: channel });
}

export function cancelDemo(): Promise<void> {
  return call<void>("cancel_demo");
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

const KNOWN_CODES: ReadonlySet<string> = new Set<ApiError["code"]>([
  "not-a-warehouse",
  "schema-too-new",
  "corrupt",
  "not-found",
  "invalid-input",
  "cancelled",
  "internal",
]);

/**
 * Whatever a command rejected with, as an ApiError. Commands reject with
 * {code, message}; the IPC layer itself may reject with a plain string
 * (e.g. a command missing from the capability), which becomes "internal".
 */
export function toApiError(error: unknown): ApiError {
  if (typeof error === "object" && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code === "string" && typeof message === "string") {
      return { code: (KNOWN_CODES.has(code) ? code : "internal") as ApiError["code"], message };
    }
    if (error instanceof Error) return { code: "internal", message: error.message };
  }
  if (typeof error === "string" && error.length > 0) return { code: "internal", message: error };
  return { code: "internal", message: "Something went wrong, and the app was not told what." };
}

/** A heading for the error banner, by code. */
export function errorTitle(error: ApiError): string {
  switch (error.code) {
    case "not-a-warehouse":
      return "This file is not a Parlance warehouse";
    case "schema-too-new":
      return "This warehouse was written by a newer Parlance";
    case "corrupt":
      return "The warehouse file is damaged";
    case "not-found":
      return "Not found";
    case "invalid-input":
      return "That input was not accepted";
    case "cancelled":
      return "Cancelled";
    case "internal":
      return "Something went wrong";
  }
}
