import { readFileSync } from 'node:fs';
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
    expect(text).toMatch(/8\. explain web-docs[^\n]*: cannot-pull/);
    expect(text).toContain('ROLE_LACKS_IDENTITY_PERMISSION');
    const report = text.match(/open (\S+access-report\.html) in a browser/);
    expect(report?.[1]).toBeDefined();
    const html = readFileSync(report?.[1] as string, 'utf8');
    expect(html).toContain('Who can pull what');
    expect(html).toContain('web-docs');
  }, 120_000);
});
