import { describe, expect, it } from "vitest";
import { baseName, dropAction } from "./fileKinds";

describe("dropAction", () => {
  it("loads schemas and descriptor sets, imports the rest", () => {
    expect(dropAction("/x/demo.proto")).toBe("schema");
    expect(dropAction("C:\\x\\set.BINPB")).toBe("schema");
    expect(dropAction("/x/y.desc")).toBe("schema");
    expect(dropAction("/x/insomnia.json")).toBe("import");
    expect(dropAction("/x/api.yaml")).toBe("import");
    expect(dropAction("/x/bruno-folder")).toBe("import");
  });
});

describe("baseName", () => {
  it("takes the last part of POSIX and Windows paths", () => {
    expect(baseName("/a/b/c.pem")).toBe("c.pem");
    expect(baseName("C:\\certs\\ca.pem")).toBe("ca.pem");
    expect(baseName("/a/folder/")).toBe("folder");
    expect(baseName("plain")).toBe("plain");
  });
});
