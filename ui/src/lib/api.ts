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

/**
 * Whatever a command rejected with, as an ApiError. Commands reject with
 * {code, message}; the IPC layer itself may reject with a plain string
 * (e.g. a command missing from the capability), which becomes "internal".
 */
export function toApiError(error: unknown): ApiError {
  if (typeof error === "object" && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code === "string" && typeof message === "string") {
      // The code is shown as given (for support), even one this UI does not know yet.
      return { code: code as ApiError["code"], message };
    }
    if (error instanceof Error) return { code: "internal", message: error.message };
  }
  if (typeof error === "string" && error.length > 0) return { code: "internal", message: error };
  return { code: "internal", message: "Something went wrong, and the app was not told what." };
}

const ERROR_TITLES: Readonly<Record<string, string>> = {
  "not-a-warehouse": "This file is not a Parlance warehouse",
  "schema-too-new": "This warehouse was written by a newer Parlance",
  corrupt: "The warehouse file is damaged",
  "not-found": "Not found",
  "invalid-input": "That input was not accepted",
  cancelled: "Cancelled",
  io: "The file could not be read or written",
  internal: "Something went wrong",
};

/** A heading for the error banner, by code. */
export function errorTitle(error: ApiError): string {
  return ERROR_TITLES[error.code] ?? "Something went wrong";
}
