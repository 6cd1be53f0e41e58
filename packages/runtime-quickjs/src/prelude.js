// @ts-check
/**
 * Guest-side helpers, evaluated inside QuickJS once per context, never on the host. The
 * expression yields a function that receives the host callbacks and returns the helpers; nothing
 * is left on the global object except `console`. Intrinsics are captured up front so later changes
 * to globals by evaluated code do not reach the conversions. Only the guest's own results depend
 * on these helpers; the host only ever parses the JSON strings they produce. They follow the rules
 * of `mapValue` (`@scomp/peer/authoring`), the host's walker: keys are defined, never assigned, so `__proto__` is an
 * ordinary key; values nest at most `maxValueDepth` levels; application data holds no member named
 * `sentinelKey` (both given by the host, from `@scomp/protocol/value-rules`).
 *
 * The runtime reads this file as text (preludeSource.ts) and evaluates it under PRELUDE_SCRIPT,
 * which is how error stacks tell these frames from the guest's own.
 */
(/**
 * Guest values are whatever the code made, so they are typed `any` where they are walked.
 * @param {(level: string, json: string) => void} hostConsole
 * @param {(token: number, ok: number, value: unknown) => void} hostSettled
 * @param {(callback: () => void, delayMs: number) => number} hostSetTimer
 * @param {(id: number) => void} hostClearTimer
 * @param {number} maxValueDepth
 * @param {string} sentinelKey
 */ function (hostConsole, hostSettled, hostSetTimer, hostClearTimer, maxValueDepth, sentinelKey) {
  'use strict';
  const { keys, getPrototypeOf, defineProperty, freeze } = Object;
  const hasOwn = Function.prototype.call.bind(Object.prototype.hasOwnProperty);
  const isArray = Array.isArray;
  const isView = /** @type {(value: unknown) => boolean} */ (ArrayBuffer.isView);
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const toStr = String;
  const isFiniteNumber = Number.isFinite;
  // Typed loosely: the guest's errors may carry any properties (a binding error's code and data).
  const ErrorCtor = /** @type {new (message?: string) => any} */ (Error);
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
  const mapGet = Function.prototype.call.bind(Map.prototype.get);
  const mapSet = Function.prototype.call.bind(Map.prototype.set);
  const ObjectProto = Object.prototype;
  const ArrayProto = Array.prototype;
  const SKIP = {};

  class ResultTooLarge {}
  class NotPlain {}

  /** @param {(string | number)[]} path */
  function pointer(path) {
    let out = '';
    for (const key of path) out += '/' + toStr(key).replace(/~/g, '~0').replace(/\//g, '~1');
    return out;
  }

  /**
   * @param {string} message
   * @returns {never}
   */
  function refuse(message) {
    const error = new TypeError(message);
    error.stack = '';
    throw error;
  }

  // Converts a guest value to a JSON-compatible tree following the runtime's conversion table.
  // Functions are collected with their paths; the tree holds null where they go.
  /**
   * @param {any} root
   * @param {number} maxChars
   * @param {boolean} functionsAllowed
   */
  function toTree(root, maxChars, functionsAllowed) {
    /** @type {Function[]} */
    const fns = [];
    /** @type {(string | number)[][]} */
    const fnPaths = [];
    /** @type {unknown[]} */
    const ancestors = [];
    /** @type {(string | number)[]} */
    const path = [];
    let chars = 0;
    /** @param {number} n */
    function count(n) {
      chars += n;
      if (chars > maxChars) throw new ResultTooLarge();
    }
    /**
     * @param {any} value
     * @param {string | number} key
     * @param {boolean} inArray
     * @returns {any}
     */
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
        case 'object':
          break;
      }
      if (value === null) {
        count(4);
        return null;
      }
      if (ancestors.includes(value)) refuse('result contains a cycle at ' + pointer(path));
      if (ancestors.length >= maxValueDepth) refuse('value nests deeper than ' + maxValueDepth + ' levels at ' + pointer(path));
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
          if (name === sentinelKey) refuse('application data must not contain a ' + sentinelKey + ' member (at ' + (pointer(path) || '/') + ')');
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
    /**
     * @param {any} value
     * @param {string | number} key
     * @param {boolean} inArray
     * @returns {any}
     */
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
  /** @param {(string | number)[][]} paths */
  function pathsJson(paths) {
    let out = '[';
    for (let i = 0; i < paths.length; i++) {
      out += i === 0 ? '[' : ',[';
      const path = /** @type {(string | number)[]} */ (paths[i]);
      for (let j = 0; j < path.length; j++) out += (j === 0 ? '' : ',') + stringify(path[j]);
      out += ']';
    }
    return out + ']';
  }

  // Most values are plain JSON data, for which the native JSON.stringify writes the same text as
  // toTree's walk, many times faster. Its replacer counts characters exactly as toTree does (so
  // 'too-large' is decided alike) and gives up at the first value that is not plain data: a
  // function to collect, a bigint, anything but a plain object or array, a `sentinelKey` member,
  // an object met twice (a cycle, or shared), or nesting as deep as toTree refuses. The walk then
  // starts over; getters met before that point have run twice.
  /**
   * @param {unknown} value
   * @param {number} maxChars
   * @param {boolean} functionsAllowed
   * @returns {string | undefined}
   */
  function plainJson(value, maxChars, functionsAllowed) {
    /** @type {Map<object, number>} */
    const levels = new MapCtor();
    let chars = 0;
    let root = true;
    /**
     * @this {any}
     * @param {string} key
     * @param {any} item
     */
    function replacer(key, item) {
      const inArray = isArray(this);
      const level = root ? 0 : /** @type {number} */ (mapGet(levels, this)) + 1;
      const member = !root && !inArray;
      root = false;
      switch (typeof item) {
        case 'undefined':
        case 'symbol':
          return item;
        case 'function':
          if (functionsAllowed) throw new NotPlain();
          return item;
        case 'bigint':
          throw new NotPlain();
        case 'number':
          chars += 8;
          break;
        case 'boolean':
          chars += 5;
          break;
        case 'string':
          chars += item.length + 2;
          break;
        default:
          if (item === null) {
            chars += 4;
            break;
          }
          if (level >= maxValueDepth || mapGet(levels, item) !== undefined) throw new NotPlain();
          {
            const proto = getPrototypeOf(item);
            if (isArray(item) ? proto !== ArrayProto : proto !== ObjectProto || hasOwn(item, sentinelKey)) throw new NotPlain();
          }
          mapSet(levels, item, level);
          chars += 2;
      }
      if (member) chars += key.length + 4;
      if (chars > maxChars) throw new ResultTooLarge();
      return item;
    }
    return stringify(value, replacer);
  }

  // Returns [json | undefined, functions, function paths], or ['too-large'] when over maxChars.
  /**
   * @param {unknown} value
   * @param {number} maxChars
   * @param {boolean} functionsAllowed
   * @returns {[string | undefined, Function[], string] | ['too-large']}
   */
  function toHost(value, maxChars, functionsAllowed) {
    try {
      try {
        return [plainJson(value, maxChars, functionsAllowed), [], '[]'];
      } catch (error) {
        if (!(error instanceof NotPlain)) throw error;
      }
      const { tree, fns, fnPaths } = toTree(value, maxChars, functionsAllowed);
      return [tree === SKIP ? undefined : stringify(tree), fns, pathsJson(fnPaths)];
    } catch (error) {
      if (error instanceof ResultTooLarge) return ['too-large'];
      throw error;
    }
  }

  /**
   * @param {string | undefined} json
   * @param {Function[]} fns
   * @param {string} fnPathsJson
   */
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

  /** @param {unknown} thrown */
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

  /** @param {string} json */
  function makeError(json) {
    const detail = parse(json);
    const error = new ErrorCtor(detail.message);
    if (detail.name !== undefined) defineProperty(error, 'name', { value: detail.name, writable: true, configurable: true });
    if (detail.code !== undefined) error.code = detail.code;
    if (detail.data !== undefined) error.data = detail.data;
    return error;
  }

  /**
   * @param {unknown} promise
   * @param {number} token
   */
  function watch(promise, token) {
    promiseThen(
      promiseResolve(promise),
      (/** @type {unknown} */ value) => hostSettled(token, 1, value),
      (/** @type {unknown} */ error) => hostSettled(token, 0, error),
    );
  }

  // Calls out to the host awaiting their answer, by id: resolve, reject, and the call site, whose
  // stack a rejection gets so that its line numbers point into the submitted code.
  /** @type {Map<number, [(value: unknown) => void, (reason: unknown) => void, Error]>} */
  const calls = new MapCtor();
  let lastCall = 0;
  const mapDelete = Function.prototype.call.bind(Map.prototype.delete);

  // The guest side of every call out (a binding, or a host function handed in): the argument is
  // converted here and reaches the host as text in one host call, `hostFn(id, json)` (json '' for
  // no value), `hostFn(id, json, paths, fns)` when it holds functions, or `hostFn(id, '', '', [],
  // thrown)` when it cannot be converted; the host settles the returned promise by id (settleCall).
  // One host call per call out: each crossing of the boundary costs more than this code.
  /**
   * @param {(id: number, json: string, paths?: string, fns?: Function[], thrown?: unknown) => void} hostFn
   * @param {number} maxChars
   * @param {string} [name]
   */
  function caller(hostFn, maxChars, name) {
    const fn = function (/** @type {unknown} */ args) {
      const site = new ErrorCtor();
      const id = ++lastCall;
      /** @type {ReturnType<typeof toHost> | undefined} */
      let converted;
      let failed = false;
      /** @type {unknown} */
      let thrown;
      try {
        converted = toHost(args, maxChars, true);
      } catch (error) {
        failed = true;
        thrown = error;
      }
      const promise = new PromiseCtor((resolve, reject) => {
        mapSet(calls, id, [resolve, reject, site]);
      });
      if (failed || converted === undefined) hostFn(id, '', '', [], thrown);
      else if (converted.length === 1 || converted[2] === '[]') hostFn(id, converted[0] ?? '');
      else hostFn(id, converted[0] ?? '', converted[2], converted[1]);
      return promise;
    };
    if (name !== undefined) defineProperty(fn, 'name', { value: name, configurable: true });
    return fn;
  }

  // Settles call `id`: `ok` 1 with the value (fromHost's arguments), 0 with an error's JSON
  // (makeError's), 2 to forget a call whose answer is dropped. A value that cannot be placed throws
  // and leaves the call pending, for the host to settle it with that error instead.
  /**
   * @param {number} id
   * @param {number} ok
   * @param {string | undefined} json
   * @param {Function[]} [fns]
   * @param {string} [fnPathsJson]
   */
  function settleCall(id, ok, json, fns, fnPathsJson) {
    const entry = mapGet(calls, id);
    if (entry === undefined) return;
    if (ok === 1) {
      const value = fns === undefined ? (json === undefined ? undefined : parse(json)) : fromHost(json, fns, /** @type {string} */ (fnPathsJson));
      mapDelete(calls, id);
      entry[0](value);
    } else if (ok === 0) {
      const error = makeError(/** @type {string} */ (json));
      try { defineProperty(error, 'stack', { value: entry[2].stack, writable: true, configurable: true }); } catch {}
      mapDelete(calls, id);
      entry[1](error);
    } else {
      mapDelete(calls, id);
    }
  }

  /** @param {string} level */
  function log(level) {
    return function (/** @type {unknown[]} */ ...args) {
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
    /**
     * @param {unknown} callback
     * @param {unknown} delay
     * @param {unknown[]} args
     */
    value: function setTimeout(callback, delay, ...args) {
      if (typeof callback !== 'function') throw new TypeError('setTimeout expects a function');
      return hostSetTimer(() => callback(...args), Number(delay) || 0);
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
  defineProperty(globalThis, 'clearTimeout', {
    /** @param {unknown} id */
    value: function clearTimeout(id) {
      hostClearTimer(Number(id) || 0);
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });

  /**
   * @param {string} name
   * @param {Function} fn a function made by `caller`
   */
  function install(name, fn) {
    // Indexed within bounds only; `any` spares a cast at each use.
    /** @type {any[]} */
    const parts = name.split('.');
    /** @type {any} */
    let target = globalThis;
    // Own properties only: a part named like an inherited member (`__proto__`, `constructor`)
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

  /** @param {string} name */
  function uninstall(name) {
    // Indexed within bounds only; `any` spares a cast at each use.
    /** @type {any[]} */
    const parts = name.split('.');
    /** @type {any} */
    let target = globalThis;
    for (let i = 0; i < parts.length - 1; i++) {
      if (!hasOwn(target, parts[i])) return;
      target = target[parts[i]];
      if ((typeof target !== 'object' && typeof target !== 'function') || target === null) return;
    }
    delete target[parts[parts.length - 1]];
  }

  return { toHost, fromHost, describeError, watch, caller, settleCall, install, uninstall };
});
