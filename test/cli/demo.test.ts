import { describe, expect, it } from 'vitest';
import { main } from '../../packages/cli/src/main.js';

describe('Command: demo', () => {
  it('drives a new project and an account move through the event path', async () => {
    // Prepare
    const lines: string[] = [];
    const output = {
      out: (text: string) => lines.push(text),
      err: () => {},
      interactive: false,
    };

    // Act
    const code = await main(['demo'], output);
    const text = lines.join('\n');

    // Assess
    expect(code).toBe(0);
    expect(text).toContain('3. plan again:');
    expect(text).toContain('+ web-reports-build on team/builder');
    expect(text).toContain('- payments-build on team/builder');
    expect(text).toMatch(
      /7\. the next sweep[^\n]*\n[^\n]*\n\s+no policy changed/
    );
  }, 120_000);
});
