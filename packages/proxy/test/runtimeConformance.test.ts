import { describe, it } from 'vitest';
import { Server, type Binding, type Runtime, type RuntimeFactory, type Transport } from '@scomp/peer';
import { FAKE_RUNTIME_CAPABILITIES, createFakeRuntimeFactory, createMemoryTransportPair, runtimeConformance } from '@scomp/peer/testing';
import { createComponent, type Component } from '../src/index.js';
import { ComponentSession } from '../src/componentSession.js';

/**
 * A runtime that is the head of three components in front of a server on FakeRuntime, every hop
 * an in-memory connection: the peer's runtime contract, checked through a chain. The server gets
 * the bindings and limits the suite gives the runtime; disposing the runtime stops every hop.
 */
const chainedFactory: RuntimeFactory = {
  async create(init): Promise<Runtime> {
    const server = new Server({
      runtime: createFakeRuntimeFactory(),
      // A runtime binding is a binding without the context's `invoke`, which these do not use.
      bindings: init.bindings as readonly Binding[],
      ...(init.limits ? { limits: init.limits } : {}),
    });
    const dial = (accept: (transport: Transport) => void) => () => {
      const [near, far] = createMemoryTransportPair();
      accept(far);
      return near;
    };
    const three: Component = createComponent({ name: 'three', downstream: dial((t) => server.accept(t)), downstreamReconnect: true });
    const two: Component = createComponent({ name: 'two', downstream: dial((t) => three.accept(t)), downstreamReconnect: true });
    const head = await ComponentSession.open(init, { name: 'one', downstream: dial((t) => two.accept(t)), downstreamReconnect: true });
    return {
      eval: (code, options) => head.eval(code, options),
      setClientBindings: (bindings) => head.setClientBindings(bindings),
      stats: () => head.stats(),
      async dispose() {
        await head.dispose();
        await two.close();
        await three.close();
        await server.close();
      },
    };
  },
};

describe('the peer runtime contract through a chain of three components', () => {
  runtimeConformance({ describe, it, createFactory: () => chainedFactory, capabilities: FAKE_RUNTIME_CAPABILITIES });
});
