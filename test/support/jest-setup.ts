import { takeContractMismatches } from './contract-recorder';

// Integration tests start browsers and wait for workflows; jest's 5 s default is for unit tests.
jest.setTimeout(180_000);

// Every response the test support's apps sent in this file must match the OpenAPI document (contract-recorder.ts).
afterAll(() => {
  const mismatches = takeContractMismatches();
  if (mismatches.length === 0) return;
  const lines = mismatches.map((m) => `  ${m.operation} → ${m.status}: ${m.problem}${m.count > 1 ? ` (×${m.count})` : ''}`);
  throw new Error(`responses that do not match the OpenAPI document (api/openapi/):\n${lines.join('\n')}`);
});
