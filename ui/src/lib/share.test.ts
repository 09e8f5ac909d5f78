// Tests of the import/export dialog logic.
import { describe, expect, it } from "vitest";
import { describeImport, exportFileName, joinPath } from "./share";

describe("exportFileName", () => {
  it("uses the format's extension", () => {
    expect(exportFileName("Sockpit demo", "sockpit")).toBe("Sockpit demo.sockpit.json");
    expect(exportFileName("Sockpit demo", "k6")).toBe("Sockpit demo.k6.js");
    expect(exportFileName("x", "curl")).toBe("x.curl.sh");
  });
  it("replaces path separators and never makes a hidden or empty name", () => {
    expect(exportFileName("a/b\\c:d", "sockpit")).toBe("a_b_c_d.sockpit.json");
    expect(exportFileName("..hidden", "wscat")).toBe("hidden.wscat.sh");
    expect(exportFileName("   ", "websocat")).toBe("collection.websocat.sh");
  });
});

describe("joinPath", () => {
  it("joins with one separator", () => {
    expect(joinPath("/tmp", "a.json")).toBe("/tmp/a.json");
    expect(joinPath("/tmp/", "a.json")).toBe("/tmp/a.json");
    expect(joinPath("", "a.json")).toBe("a.json");
  });
});

describe("describeImport", () => {
  it("names the collection, format, requests, renames and warnings", () => {
    const line = describeImport({ collection: 1, name: "Demo (2)", renamed_from: "Demo", format: "insomnia", requests: 3, warnings: ["gRPC skipped"] });
    expect(line).toBe("Imported “Demo (2)” from insomnia: 3 requests (renamed from “Demo”, a collection of that name exists); 1 warning");
    expect(describeImport({ collection: 2, name: "One", renamed_from: null, format: "sockpit", requests: 1, warnings: [] }))
      .toBe("Imported “One” from sockpit: 1 request");
  });
});
