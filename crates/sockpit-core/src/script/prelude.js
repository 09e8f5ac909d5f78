// The `sp` object, `test()` and the guards scripts see. Evaluated once per session after chai and
// before the user's program; `native` holds the Rust functions (engine.rs) and is not visible to
// scripts.
(function (native, protocol) {
  "use strict";
  let keepMessages = false;
  function show(v) {
    if (typeof v === "string") return v;
    if (v instanceof Uint8Array) return "<" + v.length + " bytes>";
    if (v instanceof Error) return v.name + ": " + v.message;
    try {
      const s = JSON.stringify(v);
      return s === undefined ? String(v) : s;
    } catch (e) {
      return String(v);
    }
  }

  // Where in the user's code an error was thrown: the first stack frame outside chai and this file.
  function userLine(stack) {
    if (typeof stack !== "string") return 0;
    const frames = stack.split("\n");
    for (const f of frames) {
      const m = /\(?([^()\s:]+):(\d+)(?::\d+)?\)?\s*$/.exec(f);
      if (!m) continue;
      if (m[1] === native.chaiFile || m[1] === native.preludeFile) continue;
      return Number(m[2]);
    }
    return 0;
  }

  function describe(e) {
    if (e !== null && typeof e === "object" && "message" in e) {
      const name = e.name || "Error";
      return { message: name + ": " + e.message, stack: String(e.stack || ""), line: userLine(e.stack) };
    }
    return { message: "uncaught " + show(e), stack: "", line: 0 };
  }

  function Message(dir, kind, data, size, t_ms, decoded) {
    this.dir = dir;
    this.kind = kind;
    this.data = data;
    this.size = size;
    this.t_ms = t_ms;
    this._decoded = decoded;
  }
  Message.prototype.text = function () {
    return typeof this.data === "string" ? this.data : native.utf8(Array.from(this.data));
  };
  Message.prototype.json = function () {
    const text = this.text();
    try {
      return JSON.parse(text);
    } catch (e) {
      const head = text.length > 60 ? text.slice(0, 60) + "…" : text;
      throw new SyntaxError("sp.message.json(): the message is not JSON (" + e.message + "): " + head);
    }
  };
  Object.defineProperty(Message.prototype, "decoded", {
    get() {
      return this._decoded === undefined ? undefined : JSON.parse(this._decoded);
    },
  });

  function only(name, layer) {
    return function () {
      throw new Error(name + " is only available on " + layer + " requests; this one speaks " + protocol);
    };
  }

  const messages = [];
  const typed = Object.create(null);
  const sp = {
    message: undefined,
    messages: messages,
    protocol: protocol,
    send(x, body) {
      if (protocol === "stomp") {
        // On STOMP, a SEND frame: sp.send(destination, body).
        if (typeof x !== "string" || body === undefined) {
          throw new TypeError("sp.send(destination, body) on STOMP: give the destination and the body (a string, an object sent as JSON, or a Uint8Array)");
        }
        if (body instanceof Uint8Array) native.publishBinary(x, Array.from(body));
        else native.publishText(x, typeof body === "string" ? body : JSON.stringify(body));
        return;
      }
      if (typeof x === "string") native.sendText(x);
      else if (x instanceof Uint8Array) native.sendBinary(Array.from(x));
      else if (x instanceof ArrayBuffer) native.sendBinary(Array.from(new Uint8Array(x)));
      else if (x === undefined) throw new TypeError("sp.send() needs a string, an object (sent as JSON) or a Uint8Array");
      else native.sendText(JSON.stringify(x));
    },
    close(code, reason) {
      native.close(code === undefined ? 1000 : Number(code), reason === undefined ? "" : String(reason));
    },
    log(...args) {
      native.log(args.map(show).join(" "));
    },
    vars: {
      // Values keep their JavaScript type within the session; the run keeps them as text.
      get(name) {
        const n = String(name);
        return n in typed ? typed[n] : native.varGet(n);
      },
      set(name, value, scope) {
        const s = scope === undefined ? "run" : String(scope);
        if (s !== "run" && s !== "environment") {
          throw new TypeError("sp.vars.set(name, value, scope): scope is 'run' or 'environment', not '" + s + "'");
        }
        typed[String(name)] = value;
        native.varSet(String(name), typeof value === "string" ? value : show(value), s);
      },
    },
    emit: protocol === "socketio"
      ? function (event, ...args) { native.emit(String(event), JSON.stringify(args)); }
      : only("sp.emit()", "Socket.IO"),
    publish: protocol === "mqtt"
      ? function (topic, payload) {
          if (payload instanceof Uint8Array) native.publishBinary(String(topic), Array.from(payload));
          else native.publishText(String(topic), typeof payload === "string" ? payload : JSON.stringify(payload));
        }
      : only("sp.publish()", "MQTT"),
  };

  function test(name, fn) {
    if (typeof fn !== "function") throw new TypeError("test(name, fn): fn must be a function");
    try {
      fn();
      native.test(String(name), true, "", 0);
    } catch (e) {
      const d = describe(e);
      native.test(String(name), false, d.message, d.line);
    }
  }

  function unavailable(what) {
    return function () {
      throw new Error(what + " is not available: Sockpit scripts have no file or network access (use sp.send, sp.vars and sp.log)");
    };
  }
  const g = globalThis;
  g.sp = sp;
  g.test = test;
  g.expect = g.chai.expect;
  g.require = function (name) {
    unavailable("require('" + String(name) + "')")();
  };
  g.fetch = unavailable("fetch()");
  g.XMLHttpRequest = unavailable("XMLHttpRequest");
  g.WebSocket = unavailable("WebSocket");
  g.console = { log: sp.log, info: sp.log, warn: sp.log, error: sp.log };

  // Called by engine.rs. Each returns null or {message, stack, line} for an uncaught exception.
  g.__sp = {
    call(name, fn) {
      try {
        const r = fn(sp);
        if (r && typeof r.then === "function") {
          r.then(undefined, function (e) {
            const d = describe(e);
            native.rejected(name, d.message, d.stack, d.line);
          });
        }
        return null;
      } catch (e) {
        return describe(e);
      }
    },
    message(fn, dir, kind, data, size, t_ms, decoded) {
      const m = new Message(dir, kind, data, size, t_ms, decoded);
      sp.message = m;
      if (keepMessages) messages.push(m);
      if (fn === undefined || dir !== "in") return null;
      return g.__sp.call("on_message", fn);
    },
    describe: describe,
    keepMessages() {
      keepMessages = true;
    },
  };
});
