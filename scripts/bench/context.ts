// What every benchmark part gets: options, the embedded stack, the corpus and its server, a progress logger.
import type { CorpusPage } from './corpus';
import type { CorpusServer } from './corpus-server';
import type { BenchInfra } from './infra';

export const PARTS = ['corpus', 'throughput', 'enqueue', 'monitoring', 'soak'] as const;
export type Part = (typeof PARTS)[number];

export interface BenchOptions {
  only: Part[];
  quick: boolean;
  /** Corpus size. */
  pages: number;
  seed: number;
  /** Pages per throughput configuration (a prefix of the corpus, whole corpus by default). */
  throughputPages: number;
  concurrency: number[];
  /** Bulk size for "time to accept". */
  enqueueBulk: number;
  /** Single POSTs and concurrent clients for the submit latency. */
  enqueueRequests: number;
  enqueueClients: number;
  /** Backlogs compared for "no degradation", and scans timed at each. */
  backlogs: [number, number];
  backlogWindow: number;
  historyScans: number;
  /** Seconds of load per monitoring endpoint. */
  monitoringSeconds: number;
  monitoringConnections: number;
  soakScans: number;
  transientScans: number;
  transientShare: number;
  sampleEveryMs: number;
  outDir: string;
}

export interface BenchContext {
  opts: BenchOptions;
  infra: BenchInfra;
  corpus: CorpusPage[];
  server: CorpusServer;
  log(line: string): void;
}
