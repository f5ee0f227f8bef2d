import { describe, expect, it } from "vitest";
import { errorTitle, toApiError } from "./api";

describe("toApiError", () => {
  it("keeps a command's {code, message}", () => {
    expect(toApiError({ code: "not-a-warehouse", message: "/tmp/notes.txt is not a Parlance warehouse" })).toEqual({
      code: "not-a-warehouse",
      message: "/tmp/notes.txt is not a Parlance warehouse",
    });
  });

  it("keeps a code this UI does not know yet, for support", () => {
    expect(toApiError({ code: "gremlins", message: "boom" })).toEqual({ code: "gremlins", message: "boom" });
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

  it("has a heading for a code it does not know", () => {
    expect(errorTitle({ code: "gremlins" as never, message: "" })).toBe("Something went wrong");
  });
});
