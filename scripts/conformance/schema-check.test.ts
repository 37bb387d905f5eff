import { localMigrations, pendingMigrations } from './schema-check';

describe('pendingMigrations', () => {
  it('lists the local migrations the database has not applied, in order', () => {
    expect(pendingMigrations(['001_init', '002_blocked', '003_more'], ['001_init'])).toEqual(['002_blocked', '003_more']);
    expect(pendingMigrations(['001_init'], ['001_init', '000_elsewhere'])).toEqual([]);
  });
});

describe('localMigrations', () => {
  it("reads this checkout's prisma/migrations folders, without the lock file", async () => {
    const names = await localMigrations();
    expect(names.length).toBeGreaterThan(0);
    expect(names).toEqual([...names].sort());
    expect(names).not.toContain('migration_lock.toml');
    for (const n of names) expect(n).toMatch(/^\d{14}_/);
  });
});
