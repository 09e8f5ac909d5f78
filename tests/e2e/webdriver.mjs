// A minimal W3C WebDriver client over fetch, with a timeout on every request (for tauri-driver).
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export class WebDriverError extends Error {}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async create(base, capabilities, timeoutMs = 60000) {
    const v = await request(base, "POST", "/session", { capabilities }, timeoutMs);
    return new Session(base, v.sessionId);
  }

  cmd(method, path, body, timeoutMs = 15000) {
    return request(this.base, method, `/session/${this.id}${path}`, body, timeoutMs);
  }

  async find(using, value) {
    const v = await this.cmd("POST", "/element", { using, value });
    return v[ELEMENT];
  }

  async findAll(using, value) {
    const v = await this.cmd("POST", "/elements", { using, value });
    return v.map((e) => e[ELEMENT]);
  }

  /** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
  async waitFor(what, fn, timeoutMs = 10000, everyMs = 50) {
    const end = Date.now() + timeoutMs;
    let last;
    for (;;) {
      try {
        last = await fn();
        if (last) return last;
      } catch (e) {
        last = e;
      }
      if (Date.now() > end) throw new WebDriverError(`timed out waiting for ${what} (last: ${last})`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  /** Finds an element, waiting for it to appear. */
  el(css, timeoutMs = 10000) {
    return this.waitFor(`element ${css}`, () => this.find("css selector", css), timeoutMs);
  }

  xpath(expr, timeoutMs = 10000) {
    return this.waitFor(`element ${expr}`, () => this.find("xpath", expr), timeoutMs);
  }

  click(el) {
    return this.cmd("POST", `/element/${el}/click`, {});
  }

  clear(el) {
    return this.cmd("POST", `/element/${el}/clear`, {});
  }

  type(el, text) {
    return this.cmd("POST", `/element/${el}/value`, { text });
  }

  text(el) {
    return this.cmd("GET", `/element/${el}/text`);
  }

  property(el, name) {
    return this.cmd("GET", `/element/${el}/property/${name}`);
  }

  exec(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  execAsync(script, args = []) {
    return this.cmd("POST", "/execute/async", { script, args });
  }

  screenshot() {
    return this.cmd("GET", "/screenshot", undefined, 30000);
  }

  delete() {
    return request(this.base, "DELETE", `/session/${this.id}`, undefined, 20000);
  }
}

export async function request(base, method, path, body, timeoutMs) {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok || (json.value && json.value.error)) {
    const v = json.value || {};
    throw new WebDriverError(`${method} ${path}: ${v.error || res.status} ${v.message || ""}`.trim());
  }
  return json.value;
}
