import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeepAlive } from '../src/node/keepAlive.js';

describe('keepalive', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function start() {
    const ping = vi.fn();
    const onTimeout = vi.fn();
    const keepAlive = new KeepAlive(ping, onTimeout, { intervalMs: 1000, timeoutMs: 300 });
    return { ping, onTimeout, keepAlive };
  }

  it('pings every interval', () => {
    const { ping, keepAlive } = start();
    vi.advanceTimersByTime(999);
    expect(ping).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(ping).toHaveBeenCalledTimes(1);
    keepAlive.alive();
    vi.advanceTimersByTime(1000);
    expect(ping).toHaveBeenCalledTimes(2);
    keepAlive.stop();
  });

  it('declares the peer dead when a ping goes unanswered for timeoutMs', () => {
    const { onTimeout } = start();
    vi.advanceTimersByTime(1000 + 299);
    expect(onTimeout).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onTimeout).toHaveBeenCalledWith(300);
  });

  it('keeps a peer that answers alive indefinitely', () => {
    const { ping, onTimeout, keepAlive } = start();
    // Each pong comes 250 ms after its ping, inside the 300 ms timeout.
    vi.advanceTimersByTime(750);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(500);
      keepAlive.alive();
      vi.advanceTimersByTime(500);
    }
    expect(ping).toHaveBeenCalledTimes(10);
    expect(onTimeout).not.toHaveBeenCalled();
    keepAlive.stop();
  });

  it('stops pinging after it timed out or was stopped', () => {
    const { ping, onTimeout } = start();
    vi.advanceTimersByTime(10_000);
    expect(onTimeout).toHaveBeenCalledTimes(1);
    expect(ping).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not move the deadline when the interval is shorter than the timeout', () => {
    const ping = vi.fn();
    const onTimeout = vi.fn();
    new KeepAlive(ping, onTimeout, { intervalMs: 100, timeoutMs: 250 });
    vi.advanceTimersByTime(349);
    expect(onTimeout).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onTimeout).toHaveBeenCalledTimes(1);
    expect(ping).toHaveBeenCalledTimes(3);
  });
});
