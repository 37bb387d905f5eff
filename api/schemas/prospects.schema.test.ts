import { CreateProspectBody, externalIdSchema, UpdateProspectBody } from './prospects.schema';

describe('externalIdSchema', () => {
  it.each(['prospect-123', '48213', '0015g00000XyZabAAB', 'crm:acme.42', 'lead+7@hubspot', 'a', 'x'.repeat(100)])('accepts %s', (id) => {
    expect(externalIdSchema.parse(id)).toBe(id);
  });

  it('trims the spaces a spreadsheet cell may carry, and keeps case', () => {
    expect(externalIdSchema.parse('  Prospect-123 ')).toBe('Prospect-123');
  });

  // Each of these would break a bulk file line (space, `#` comment), a CLI argument (leading `-`) or a path segment (`/`).
  it.each(['', 'has space', '#123', '-123', 'a/b', 'x'.repeat(101), 'tab\there', 'é'])('refuses %j', (id) => {
    expect(externalIdSchema.safeParse(id).success).toBe(false);
  });
});

describe('external ids in prospect bodies', () => {
  it('is optional on create and may be cleared with null on update', () => {
    expect(CreateProspectBody.parse({ url: 'https://a.example/' }).externalId).toBeUndefined();
    expect(UpdateProspectBody.parse({ externalId: null })).toEqual({ externalId: null });
    expect(UpdateProspectBody.safeParse({}).success).toBe(false);
  });
});
