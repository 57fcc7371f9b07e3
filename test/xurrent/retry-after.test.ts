import { describe, expect, it } from 'vitest';

import { parseRetryAfter } from '../../src/xurrent/index.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('parseRetryAfter', () => {
  it.each([
    ['10', 10],
    [' 7 ', 7],
    [new Date(NOW + 90_000).toUTCString(), 90],
    [new Date(NOW + 1_500).toUTCString(), 1],
    [null, 60],
    ['', 60],
    ['0', 60],
    ['-5', 60],
    ['soon', 60],
    [new Date(NOW - 5_000).toUTCString(), 60],
  ])('parses %j as %i s', (header, seconds) => {
    expect(parseRetryAfter(header, NOW)).toBe(seconds);
  });
});
