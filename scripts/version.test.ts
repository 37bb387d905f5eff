import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { versionInfo, versionLine } from './version';

describe('versionInfo', () => {
  it("reports package.json's version, and the commit in a checkout", () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    const v = versionInfo('wcag');
    expect(v).toMatchObject({ name: 'wcag', version });
    if (v.commit) expect(v.commit).toMatch(/^[0-9a-f]{4,40}$/);
  });

  it('prints name, version and commit on one line', () => {
    expect(versionLine({ name: 'bench', version: '1.2.3', commit: 'abc1234' })).toBe('bench 1.2.3 (abc1234)');
    expect(versionLine({ name: 'bench', version: '1.2.3' })).toBe('bench 1.2.3');
  });
});
