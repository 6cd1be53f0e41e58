import { MAX_VALUE_DEPTH, SENTINEL_KEY } from '@scomp/protocol/value-rules';

/**
 * Guest-side helpers, evaluated once per context. The expression yields a function that receives
 * the host callbacks and returns the helpers; nothing is left on the global object except
 * `console`. Intrinsics are captured up front so later changes to globals by evaluated code do
 * not reach the conversions. Only the guest's own results depend on these helpers; the host only
 * ever parses the JSON strings they produce. They follow the rules of `@scomp/peer/values`, the
 * host's walker: keys are defined, never assigned, so `__proto__` is an ordinary key; values nest at
 * most MAX_VALUE_DEPTH levels; application data holds no `$scomp` member.
 */
export const PRELUDE_SOURCE = String.raw`(function (hostConsole, hostSettled, hostSetTimer, hostClearTimer) {
  'use strict';
  const { keys, getPrototypeOf, defineProperty, freeze } = Object;
  const hasOwn = Function.prototype.call.bind(Object.prototype.hasOwnProperty);
  const isArray = Array.isArray;
  const isView = ArrayBuffer.isView;
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const toStr = String;
  const isFiniteNumber = Number.isFinite;
  const ErrorCtor = Error;
  const MapCtor = Map;
  const SetCtor = Set;
  const ArrayBufferCtor = ArrayBuffer;
  const Uint8ArrayCtor = Uint8Array;
  const DataViewCtor = DataView;
  const arrayFrom = Array.from;
  const mapEntries = Function.prototype.call.bind(Map.prototype.entries);
  const setValues = Function.prototype.call.bind(Set.prototype.values);
  const promiseThen = Function.prototype.call.bind(Promise.prototype.then);
  const PromiseCtor = Promise;
  const promiseResolve = Promise.resolve.bind(Promise);
  const SKIP = {};

  class ResultTooLarge {}

  function pointer(path) {
    let out = '';
    for (const key of path) out += '/' + toStr(key).replace(/~/g, '~0').replace(/\//g, '~1');
    return out;
  }

  function refuse(message) {
    const error = new TypeError(message);
    error.stack = '';
    throw error;
  }

  // Converts a guest value to a JSON-compatible tree following the runtime's conversion table.
  // Functions are collected with their paths; the tree holds null where they go.
  function toTree(root, maxChars, functionsAllowed) {
    const fns = [];
    const fnPaths = [];
    const ancestors = [];
    const path = [];
    let chars = 0;
    function count(n) {
      chars += n;
      if (chars > maxChars) throw new ResultTooLarge();
    }
    function walk(value, key, inArray) {
      switch (typeof value) {
        case 'undefined':
        case 'symbol':
          return inArray ? null : SKIP;
        case 'number':
          count(8);
          return isFiniteNumber(value) ? (value === 0 ? 0 : value) : null;
        case 'bigint': {
          const text = toStr(value);
          count(text.length + 2);
          return text;
        }
        case 'boolean':
          count(5);
          return value;
        case 'string':
          count(value.length + 2);
          return value;
        case 'function':
          if (!functionsAllowed) return inArray ? null : SKIP;
          fns.push(value);
          fnPaths.push(path.slice());
          count(4);
          return null;
      }
      if (value === null) {
        count(4);
        return null;
      }
      if (ancestors.includes(value)) refuse('result contains a cycle at ' + pointer(path));
      if (ancestors.length >= ${MAX_VALUE_DEPTH}) refuse('value nests deeper than ${MAX_VALUE_DEPTH} levels at ' + pointer(path));
      if (typeof value.toJSON === 'function') {
        ancestors.push(value);
        const replaced = walk(value.toJSON(toStr(key)), key, inArray);
        ancestors.pop();
        return replaced;
      }
      ancestors.push(value);
      let out;
      if (value instanceof ErrorCtor) {
        out = { name: toStr(value.name), message: toStr(value.message) };
        count(out.name.length + out.message.length + 20);
      } else if (value instanceof MapCtor) {
        out = [];
        let i = 0;
        for (const entry of mapEntries(value)) out.push(child([entry[0], entry[1]], i++, true));
      } else if (value instanceof SetCtor) {
        out = [];
        let i = 0;
        for (const item of setValues(value)) out.push(child(item, i++, true));
      } else if (value instanceof ArrayBufferCtor) {
        out = arrayFrom(new Uint8ArrayCtor(value));
        count(out.length * 4);
      } else if (value instanceof DataViewCtor) {
        out = arrayFrom(new Uint8ArrayCtor(value.buffer, value.byteOffset, value.byteLength));
        count(out.length * 4);
      } else if (isView(value)) {
        out = [];
        for (let i = 0; i < value.length; i++) out.push(child(value[i], i, true));
      } else if (isArray(value)) {
        out = [];
        for (let i = 0; i < value.length; i++) out.push(child(value[i], i, true));
      } else {
        out = {};
        for (const name of keys(value)) {
          if (name === '${SENTINEL_KEY}') refuse('application data must not contain a ${SENTINEL_KEY} member (at ' + (pointer(path) || '/') + ')');
          const converted = child(value[name], name, false);
          if (converted !== SKIP) {
            count(name.length + 4);
            defineProperty(out, name, { value: converted, enumerable: true, writable: true, configurable: true });
          }
        }
      }
      ancestors.pop();
      count(2);
      return out;
    }
    function child(value, key, inArray) {
      path.push(key);
      const converted = walk(value, key, inArray);
      path.pop();
      return converted;
    }
    const tree = walk(root, '', false);
    return { tree, fns, fnPaths };
  }

  // Paths hold only strings and numbers, which stringify never hands to a toJSON the code may have
  // put on Object.prototype or Array.prototype; the arrays around them are joined here instead.
  function pathsJson(paths) {
    let out = '[';
    for (let i = 0; i < paths.length; i++) {
      out += i === 0 ? '[' : ',[';
      const path = paths[i];
      for (let j = 0; j < path.length; j++) out += (j === 0 ? '' : ',') + stringify(path[j]);
      out += ']';
    }
    return out + ']';
  }

  // Returns [json | undefined, functions, function paths], or ['too-large'] when over maxChars.
  function toHost(value, maxChars, functionsAllowed) {
    try {
      const { tree, fns, fnPaths } = toTree(value, maxChars, functionsAllowed);
      return [tree === SKIP ? undefined : stringify(tree), fns, pathsJson(fnPaths)];
    } catch (error) {
      if (error instanceof ResultTooLarge) return ['too-large'];
      throw error;
    }
  }

  function fromHost(json, fns, fnPathsJson) {
    if (json === undefined) return undefined;
    let root = parse(json);
    const fnPaths = parse(fnPathsJson);
    for (let i = 0; i < fnPaths.length; i++) {
      const where = fnPaths[i];
      if (where.length === 0) {
        root = fns[i];
        continue;
      }
      // Own properties only, and defined: a path never leads into a prototype.
      let target = root;
      for (let j = 0; j < where.length - 1; j++) {
        if (typeof target !== 'object' || target === null || !hasOwn(target, where[j])) refuse('no place for a function');
        target = target[where[j]];
      }
      if (typeof target !== 'object' || target === null) refuse('no place for a function');
      defineProperty(target, where[where.length - 1], { value: fns[i], enumerable: true, writable: true, configurable: true });
    }
    return root;
  }

  function describeError(thrown) {
    let name = 'Thrown';
    let message;
    let stack;
    let code;
    let data;
    if (thrown instanceof ErrorCtor) {
      try { name = toStr(thrown.name); } catch { name = 'Error'; }
      try { message = toStr(thrown.message); } catch { message = ''; }
      try { stack = typeof thrown.stack === 'string' ? thrown.stack : undefined; } catch {}
      // A failed binding call keeps the wire error's code and data, so the agent sees why.
      try { if (typeof thrown.code === 'number') code = thrown.code; } catch {}
      try { if (code !== undefined) data = stringify(thrown.data) === undefined ? undefined : parse(stringify(thrown.data)); } catch {}
    } else {
      try {
        message = typeof thrown === 'object' && thrown !== null ? stringify(thrown) : toStr(thrown);
      } catch {
        message = '[unserializable value]';
      }
      if (message === undefined) message = toStr(thrown);
    }
    return stringify({ name, message, stack, code, data });
  }

  function makeError(json) {
    const detail = parse(json);
    const error = new ErrorCtor(detail.message);
    if (detail.name !== undefined) defineProperty(error, 'name', { value: detail.name, writable: true, configurable: true });
    if (detail.code !== undefined) error.code = detail.code;
    if (detail.data !== undefined) error.data = detail.data;
    return error;
  }

  function watch(promise, token) {
    promiseThen(
      promiseResolve(promise),
      (value) => hostSettled(token, 1, value),
      (error) => hostSettled(token, 0, error),
    );
  }

  // A promise and its resolvers, for calls out to the host.
  function deferred() {
    let resolve;
    let reject;
    const promise = new PromiseCtor((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    return [promise, resolve, reject];
  }

  function log(level) {
    return function (...args) {
      let json;
      try {
        json = toHost(args, 65536, false)[0];
      } catch {
        json = undefined;
      }
      if (json === undefined || json === 'too-large') json = stringify(args.map((arg) => toStr(arg)));
      hostConsole(level, json);
    };
  }
  defineProperty(globalThis, 'console', {
    value: freeze({ log: log('log'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') }),
    writable: true,
    configurable: true,
    enumerable: false,
  });

  // Timers run inside the session: callbacks are guest jobs, paid for from the CPU budget.
  defineProperty(globalThis, 'setTimeout', {
    value: function setTimeout(callback, delay, ...args) {
      if (typeof callback !== 'function') throw new TypeError('setTimeout expects a function');
      return hostSetTimer(() => callback(...args), Number(delay) || 0);
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
  defineProperty(globalThis, 'clearTimeout', {
    value: function clearTimeout(id) {
      hostClearTimer(Number(id) || 0);
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });

  function install(name, hostFn) {
    // The host settles the call later, from a promise job; the error it rejects with gets the
    // stack of the call site so line numbers point into the submitted code.
    const fn = function (args) {
      const site = new ErrorCtor();
      return promiseThen(hostFn(args), undefined, (error) => {
        if (error instanceof ErrorCtor) {
          try { defineProperty(error, 'stack', { value: site.stack, writable: true, configurable: true }); } catch {}
        }
        throw error;
      });
    };
    const parts = name.split('.');
    let target = globalThis;
    // Own properties only: a part named like an inherited member (\`__proto__\`, \`constructor\`)
    // gets an object of its own instead of leading into a prototype.
    for (let i = 0; i < parts.length - 1; i++) {
      let next = hasOwn(target, parts[i]) ? target[parts[i]] : undefined;
      if ((typeof next !== 'object' && typeof next !== 'function') || next === null) {
        next = {};
        defineProperty(target, parts[i], { value: next, writable: true, configurable: true, enumerable: false });
      }
      target = next;
    }
    defineProperty(target, parts[parts.length - 1], { value: fn, writable: true, configurable: true, enumerable: false });
  }

  function uninstall(name) {
    const parts = name.split('.');
    let target = globalThis;
    for (let i = 0; i < parts.length - 1; i++) {
      if (!hasOwn(target, parts[i])) return;
      target = target[parts[i]];
      if ((typeof target !== 'object' && typeof target !== 'function') || target === null) return;
    }
    delete target[parts[parts.length - 1]];
  }

  return { toHost, fromHost, describeError, makeError, watch, deferred, install, uninstall };
})`;
