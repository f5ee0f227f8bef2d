import { describe, expect, it } from "vitest";
import { errorTitle, toApiError } from "./api";

describe("toApiError", () => {
  it("keeps a command's {code, message}", () => {
    expect(toApiError({ code: "not-a-warehouse", message: "/tmp/notes.txt is not a Parlance warehouse" })).toEqual({
      code: "not-a-warehouse",
      message: "/tmp/notes.txt is not a Parlance warehouse",
    });
  });

  it("treats an unknown code as internal but keeps the message", () => {
    expect(toApiError({ code: "gremlins", message: "boom" })).toEqual({ code: "internal", message: "boom" });
  });

  it("wraps a plain string from the IPC layer", () => {
    expect(toApiError("overview not allowed. Command not found")).toEqual({
      code: "internal",
      message: "overview not allowed. Command not found",
    });
  });

  it("wraps a thrown Error", () => {
    expect(toApiError(new Error("channel closed"))).toEqual({ code: "internal", message: "channel closed" });
  });

  it("always has a message", () => {
    expect(toApiError(undefined).message.length).toBeGreaterThan(0);
    expect(toApiError("").message.length).toBeGreaterThan(0);
    expect(toApiError({}).code).toBe("internal");
  });
});

describe("errorTitle", () => {
  it("names the problem for the codes a user can meet when opening a file", () => {
    expect(errorTitle({ code: "not-a-warehouse", message: "" })).toBe("This file is not a Parlance warehouse");
    expect(errorTitle({ code: "schema-too-new", message: "" })).toBe(
      "This warehouse was written by a newer Parlance",
    );
  });
});
