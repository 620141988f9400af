import { describe, expect, it } from 'vitest';
import { useMotoServer } from '../support/emulator.js';

describe('Emulator: moto server', () => {
  const server = useMotoServer();

  it('answers on a loopback endpoint', async () => {
    const { endpoint } = server();

    const response = await fetch(`${endpoint}/moto-api/`);

    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(response.status).toBe(200);
  });
});
