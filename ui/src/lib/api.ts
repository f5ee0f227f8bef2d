// The app's commands (src-tauri/src/main.rs), one function each. Every command
// either resolves with its DTO or rejects with an ApiError {code, message}.

import { Channel, invoke } from "@tauri-apps/api/core";
import type { ApiError } from "./bindings/ApiError";
import type { AppInfoDto } from "./bindings/AppInfoDto";
import type { DemoProgressDto } from "./bindings/DemoProgressDto";
import type { DemoSummaryDto } from "./bindings/DemoSummaryDto";
import type { ConnectionTestDto } from "./bindings/ConnectionTestDto";
import type { CustomerDto } from "./bindings/CustomerDto";
import type { CustomerSearchHitDto } from "./bindings/CustomerSearchHitDto";
import type { NewSourceDto } from "./bindings/NewSourceDto";
import type { OverviewDto } from "./bindings/OverviewDto";
import type { QuarantineRetryDto } from "./bindings/QuarantineRetryDto";
import type { QuarantinedRecordDto } from "./bindings/QuarantinedRecordDto";
import type { SourceInfoDto } from "./bindings/SourceInfoDto";
import type { SourceRemovedDto } from "./bindings/SourceRemovedDto";
import type { SyncProgressDto } from "./bindings/SyncProgressDto";
import type { SyncSummaryDto } from "./bindings/SyncSummaryDto";
import type { TimelinePageDto } from "./bindings/TimelinePageDto";
import type { ValueModelDto } from "./bindings/ValueModelDto";
import type { ValueSummaryDto } from "./bindings/ValueSummaryDto";

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

export function listSources(): Promise<SourceInfoDto[]> {
  return call<SourceInfoDto[]>("list_sources");
}

/** Registers a source; the token is sent once and kept in the OS keychain. */
export function addSource(source: NewSourceDto, token: string): Promise<SourceInfoDto> {
  return call<SourceInfoDto>("add_source", { source, token });
}

export function testSource(name: string): Promise<ConnectionTestDto> {
  return call<ConnectionTestDto>("test_source", { name });
}

export function removeSource(name: string): Promise<SourceRemovedDto> {
  return call<SourceRemovedDto>("remove_source", { name });
}

/** Syncs one source (or every connector source when null), reporting progress per stream. */
export function syncSources(
  source: string | null,
  full: boolean,
  onProgress: (progress: SyncProgressDto) => void,
): Promise<SyncSummaryDto> {
  const channel = new Channel<SyncProgressDto>();
  channel.onmessage = onProgress;
  return call<SyncSummaryDto>("sync_sources", { source, full, onProgress: channel });
}

export function cancelSync(): Promise<void> {
  return call<void>("cancel_sync");
}

export function quarantine(source: string | null, limit: number): Promise<QuarantinedRecordDto[]> {
  return call<QuarantinedRecordDto[]>("quarantine", { source, limit });
}

export function retryQuarantine(source: string | null): Promise<QuarantineRetryDto> {
  return call<QuarantineRetryDto>("retry_quarantine", { source });
}

export function searchCustomers(text: string, limit: number): Promise<CustomerSearchHitDto[]> {
  return call<CustomerSearchHitDto[]>("search_customers", { text, limit });
}

export function customer(query: string, limit: number): Promise<CustomerDto> {
  return call<CustomerDto>("customer", { query, limit });
}

export function customerTimeline(profileId: number, limit: number, offset: number): Promise<TimelinePageDto> {
  return call<TimelinePageDto>("customer_timeline", { profileId, limit, offset });
}

export function valueSummary(): Promise<ValueSummaryDto> {
  return call<ValueSummaryDto>("value_summary");
}

export function fitValue(): Promise<ValueModelDto> {
  return call<ValueModelDto>("fit_value");
}

export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
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
  keychain: "The keychain could not keep the token",
  source: "The channel tool refused",
  "insufficient-data": "Not enough data yet",
};

/** A heading for the error banner, by code. */
export function errorTitle(error: ApiError): string {
  return ERROR_TITLES[error.code] ?? "Something went wrong";
}
